package dev.wgmesh.controller.user;

import dev.wgmesh.controller.audit.AuditLog;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
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
    private static final String TARGET = "user";

    private final PasswordEncoder passwordEncoder;
    private final AuditLog audit;

    UserService(UserRepository users, PasswordEncoder passwordEncoder, AuditLog audit) {
        this.users = users;
        this.passwordEncoder = passwordEncoder;
        this.audit = audit;
    }

    private static Map<String, Object> auditView(AppUser u) {
        return Map.of("username", u.username(), "role", u.role().name());
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
        audit.record(TARGET + ".created", TARGET, user.id(), null, auditView(user));
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
        AppUser after = new AppUser(user.id(), user.username(), user.passwordHash(), role, user.createdAt());
        audit.record(TARGET + ".role_changed", TARGET, id, auditView(user), auditView(after));
        return after.view();
    }

    /** Sets a new password (ADMIN operation; also how the generated first-admin password is replaced). */
    @Transactional
    public void setPassword(UUID id, String password) {
        UserRules.checkPassword(password);
        AppUser user = users.findById(id).orElseThrow(() -> new UserNotFoundException(id));
        users.updatePasswordHash(id, passwordEncoder.encode(password));
        audit.record(TARGET + ".password_changed", TARGET, id, null, auditView(user));
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
        audit.record(TARGET + ".deleted", TARGET, id, auditView(user), null);
    }

    private void requireAnotherAdmin(UUID leaving) {
        List<UUID> admins = users.lockAdmins();
        if (admins.stream().noneMatch(a -> !a.equals(leaving))) {
            throw new LastAdminException();
        }
    }
}
