package dev.wgmesh.controller.user;

import java.util.Locale;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Loads dashboard users for password login and for re-checking session users on each request.
 *
 * <p>Being a {@link UserDetailsService} bean also switches off Spring Boot's default in-memory user.
 */
@Service
public class DatabaseUserDetailsService implements UserDetailsService {
    private final UserRepository users;

    DatabaseUserDetailsService(UserRepository users) {
        this.users = users;
    }

    @Override
    @Transactional(readOnly = true)
    public UserDetails loadUserByUsername(String username) {
        String name = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        AppUser user = users.findByUsername(name).orElseThrow(() -> new UsernameNotFoundException("unknown user"));
        return User.withUsername(user.username())
                .password(user.passwordHash())
                .authorities(user.role().authorities())
                .build();
    }
}
