package dev.wgmesh.controller.user;

import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Creates the first ADMIN when the controller starts with no users at all.
 *
 * <p>From {@code wgmesh.admin.username}/{@code wgmesh.admin.password} when configured; otherwise with a generated
 * password that is written to the log exactly once. That line is the only secret the controller ever logs.
 *
 * <p>Several replicas starting together race on the unique username: the loser's insert fails, it logs nothing
 * secret, and the winner's credentials stand.
 */
@Component
class FirstAdminBootstrap implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(FirstAdminBootstrap.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserService users;
    private final AdminBootstrapProperties properties;

    FirstAdminBootstrap(UserService users, AdminBootstrapProperties properties) {
        this.users = users;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) {
        createFirstAdminIfNoUsers();
    }

    /** Returns true when this call created the admin. */
    boolean createFirstAdminIfNoUsers() {
        if (users.anyUserExists()) {
            return false;
        }
        boolean generated = !properties.hasPassword();
        String password = generated ? generatePassword() : properties.password();
        try {
            users.create(properties.usernameOrDefault(), password, Role.ADMIN);
        } catch (UsernameTakenException ex) {
            log.info("First admin '{}' was created concurrently by another replica", properties.usernameOrDefault());
            return false;
        }
        if (generated) {
            log.warn(
                    "\n********** WGMESH FIRST ADMIN (shown once, store it now) **********\n"
                            + "  username: {}\n  password: {}\n"
                            + "  Change it with PUT /api/v1/users/{id}/password, or set\n"
                            + "  wgmesh.admin.username / wgmesh.admin.password before the first start.\n"
                            + "*******************************************************************",
                    properties.usernameOrDefault(),
                    password);
        } else {
            log.info("Created first admin '{}' from wgmesh.admin.* configuration", properties.usernameOrDefault());
        }
        return true;
    }

    /** 18 random bytes = 144 bits, 24 URL-safe characters: typeable and far beyond guessing. */
    private static String generatePassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
