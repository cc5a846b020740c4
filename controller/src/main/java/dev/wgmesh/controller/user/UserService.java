package dev.wgmesh.controller.user;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Dashboard users: create, list, delete, change role; never leaves the controller without an ADMIN. */
@Service
public class UserService {
    private final UserRepository users;
    private final PasswordEncoder passwordEncoder;

    UserService(UserRepository users, PasswordEncoder passwordEncoder) {
        this.users = users;
        this.passwordEncoder = passwordEncoder;
    }

    /** Creates a user; throws {@link UsernameTakenException} or {@link InvalidCredentialsInputException}. */
    @Transactional
    public UserView create(String username, String password, Role role) {
        String name = UserRules.normalizeUsername(username);
        UserRules.checkPassword(password);
        AppUser user = new AppUser(
                UUID.randomUUID(),
                name,
                passwordEncoder.encode(password),
                role,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        try {
            users.insert(user);
        } catch (DuplicateKeyException ex) {
            throw new UsernameTakenException(name);
        }
        return user.view();
    }

    @Transactional(readOnly = true)
    public List<UserView> list() {
        return users.findAll().stream().map(AppUser::view).toList();
    }

    @Transactional(readOnly = true)
    public Optional<UserView> findByUsername(String username) {
        return users.findByUsername(username).map(AppUser::view);
    }

    @Transactional(readOnly = true)
    public boolean anyUserExists() {
        return users.count() > 0;
    }

    @Transactional
    public UserView changeRole(UUID id, Role role) {
        AppUser user = users.findById(id).orElseThrow(() -> new UserNotFoundException(id));
        if (user.role() == Role.ADMIN && role != Role.ADMIN) {
            requireAnotherAdmin(id);
        }
        users.updateRole(id, role);
        return new UserView(user.id(), user.username(), role, user.createdAt());
    }

    /** Sets a new password (ADMIN operation; also how the generated first-admin password is replaced). */
    @Transactional
    public void setPassword(UUID id, String password) {
        UserRules.checkPassword(password);
        if (!users.updatePasswordHash(id, passwordEncoder.encode(password))) {
            throw new UserNotFoundException(id);
        }
    }

    @Transactional
    public void delete(UUID id) {
        AppUser user = users.findById(id).orElseThrow(() -> new UserNotFoundException(id));
        if (user.role() == Role.ADMIN) {
            requireAnotherAdmin(id);
        }
        if (!users.delete(id)) {
            throw new UserNotFoundException(id);
        }
    }

    private void requireAnotherAdmin(UUID leaving) {
        List<UUID> admins = users.lockAdmins();
        if (admins.stream().noneMatch(a -> !a.equals(leaving))) {
            throw new LastAdminException();
        }
    }
}
