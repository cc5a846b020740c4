package dev.wgmesh.dataplane.noise;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A minimal random index allocator for tests (the device uses the real index table). */
public final class TestIndices implements IndexAllocator {
    private final SecureRandom random = new SecureRandom();
    public final Map<Integer, Handshake> live = new ConcurrentHashMap<>();

    @Override
    public int allocate(Handshake handshake) {
        while (true) {
            int i = random.nextInt();
            if (i != 0 && live.putIfAbsent(i, handshake) == null) {
                return i;
            }
        }
    }

    @Override
    public void release(int index) {
        live.remove(index);
    }
}
