package dev.wgmesh.controller.ipam;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Frees addresses reserved by a controller that died before its peer transaction committed. Harmless to run on every
 * replica at once: the delete is idempotent. The grace period is far longer than any peer transaction.
 */
@Component
class UnclaimedReservationReaper {
    private static final Logger log = LoggerFactory.getLogger(UnclaimedReservationReaper.class);
    private static final Duration GRACE = Duration.ofMinutes(10);

    private final IpamService ipam;

    UnclaimedReservationReaper(IpamService ipam) {
        this.ipam = ipam;
    }

    @Scheduled(fixedDelayString = "PT5M", initialDelayString = "PT1M")
    void reap() {
        int n = ipam.reapUnclaimed(GRACE);
        if (n > 0) {
            log.info("Freed {} tunnel address reservation(s) left unclaimed for over {}", n, GRACE);
        }
    }
}
