package dev.wgmesh.dataplane.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real TUN interfaces in two namespaces, bridged in userspace by {@link LinuxTun#readBatch} and {@link
 * LinuxTun#writeBatch}: a TCP transfer between the namespaces must arrive intact whether the offloads are on (the
 * kernel hands us super-packets we split, we hand it merged ones), refused by the kernel (the seam), or off.
 */
@Timeout(90)
class LinuxTunOffloadTest {
    private static final int BYTES = 6 << 20;

    private NetLab lab;
    private Netns ns1;
    private Netns ns2;
    private LinuxTun tun1;
    private LinuxTun tun2;
    private volatile boolean stop;
    private Thread[] bridges;

    @BeforeEach
    void setUp() throws Exception {
        lab = NetLab.create();
        ns1 = lab.namespace("o1");
        ns2 = lab.namespace("o2");
    }

    @AfterEach
    void tearDown() throws Exception {
        stop = true;
        if (tun1 != null) {
            tun1.close();
        }
        if (tun2 != null) {
            tun2.close();
        }
        if (bridges != null) {
            for (Thread t : bridges) {
                t.join(2000);
            }
        }
        lab.close();
    }

    private void open(LinuxTun.Options options, LinuxTun.OffloadControl control) throws Exception {
        String n1 = lab.ifname("wo");
        String n2 = lab.ifname("wo");
        tun1 = ThreadNetns.call(ns1.path(), () -> LinuxTun.open(n1, options, control));
        tun2 = ThreadNetns.call(ns2.path(), () -> LinuxTun.open(n2, options, control));
        int i = 1;
        for (Netns ns : new Netns[] {ns1, ns2}) {
            String name = i == 1 ? n1 : n2;
            ns.ok("ip", "addr", "add", "10.81.0." + i + "/24", "dev", name);
            ns.ok("ip", "addr", "add", "fd81::" + i + "/64", "dev", name, "nodad");
            ns.ok("ip", "link", "set", name, "mtu", "1420", "up");
            i++;
        }
        bridges = new Thread[] {bridge(tun1, tun2), bridge(tun2, tun1)};
    }

    private Thread bridge(LinuxTun from, LinuxTun to) {
        Thread t = new Thread(() -> {
            PacketBuffer[] bufs = new PacketBuffer[128];
            for (int i = 0; i < bufs.length; i++) {
                bufs[i] = PacketBuffer.unpooled(65600);
                bufs[i].offset = 16;
            }
            try {
                while (!stop) {
                    int n = from.readBatch(bufs, bufs.length, 65535);
                    if (n < 0) {
                        return;
                    }
                    to.writeBatch(bufs, n);
                    for (int i = 0; i < n; i++) {
                        bufs[i].offset = 16;
                    }
                }
            } catch (Exception e) {
                if (!stop) {
                    throw new IllegalStateException(e);
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Sends BYTES random bytes from ns1 to ns2 over TCP; returns whether both digests match. */
    private boolean transfer(String server) throws Exception {
        InetAddress addr = InetAddress.getByName(server);
        ServerSocket ss = ThreadNetns.call(ns2.path(), () -> new ServerSocket(0, 1, addr));
        byte[] data = new byte[BYTES];
        new Random(7).nextBytes(data);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (ss;
                    Socket s = ss.accept();
                    InputStream in = s.getInputStream()) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
                return md.digest();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ThreadNetns.call(
                ns1.path(),
                () -> { // the JDK creates the socket's fd at connect: do it in ns1
                    try (Socket client = new Socket()) {
                        client.connect(new InetSocketAddress(addr, ss.getLocalPort()), 10_000);
                        OutputStream out = client.getOutputStream();
                        for (int off = 0; off < data.length; off += 100_000) {
                            out.write(data, off, Math.min(100_000, data.length - off));
                        }
                    }
                    return null;
                });
        byte[] want = MessageDigest.getInstance("SHA-256").digest(data);
        return MessageDigest.isEqual(want, received.get(60, TimeUnit.SECONDS));
    }

    @Test
    void tcpOverIpv4AndIpv6ArrivesIntactThroughSplitAndMergedSuperPackets() throws Exception {
        NetLab.requireRoot();
        open(LinuxTun.Options.OFFLOADED, LinuxTun.OffloadControl.KERNEL);
        assertThat(tun1.offloadsEnabled()).isTrue();
        assertThat(transfer("10.81.0.2")).isTrue();
        assertThat(transfer("fd81::2")).isTrue();
        assertThat(tun1.superPacketsRead())
                .as("super-packets from the sender's TCP")
                .isPositive();
        assertThat(tun2.superPacketsWritten())
                .as("merged segments to the receiver")
                .isPositive();
        assertThat(tun1.droppedFrames() + tun2.droppedFrames()).isZero();
    }

    @Test
    void refusedOffloadsFallBackToPlainFrames() throws Exception {
        NetLab.requireRoot();
        open(LinuxTun.Options.OFFLOADED, (ctx, fd, flags) -> -Libc.EINVAL);
        assertThat(tun1.offloadsEnabled()).isFalse();
        assertThat(transfer("10.81.0.2")).isTrue();
        assertThat(tun1.superPacketsRead()).isZero();
        assertThat(tun2.superPacketsWritten()).isZero();
    }

    @Test
    void withoutVirtioHeadersBatchesStillCarryTcp() throws Exception {
        NetLab.requireRoot();
        open(LinuxTun.Options.DEFAULT, LinuxTun.OffloadControl.KERNEL);
        assertThat(tun1.offloadsEnabled()).isFalse();
        assertThat(transfer("fd81::2")).isTrue();
    }
}
