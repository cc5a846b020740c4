package dev.wgmesh.agent.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent's channel does not probe the controller's bandwidth: a server streaming updates to it over real HTTP/2
 * (Netty, loopback) sees no PING from the agent in its frame log, where gRPC's default channel sends one on nearly
 * every burst of data it receives.
 */
@Timeout(30)
class ControllerChannelTest {
    /** Where gRPC's server transport logs every HTTP/2 frame (java.util.logging FINE). */
    private static final String SERVER_FRAMES = "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler";

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> UPDATES = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName("test.Updates/Stream")
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    @Test
    void receivingUpdatesDrawsNoPingsFromTheAgent() throws Exception {
        Logger frames = Logger.getLogger(SERVER_FRAMES);
        List<String> seen = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                seen.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        capture.setLevel(Level.ALL);
        Level level = frames.getLevel();
        frames.setLevel(Level.FINE);
        frames.addHandler(capture);
        ServerServiceDefinition service = ServerServiceDefinition.builder("test.Updates")
                .addMethod(UPDATES, ServerCalls.asyncServerStreamingCall(ControllerChannelTest::updates))
                .build();
        Server server = NettyServerBuilder.forAddress(
                        new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .addService(service)
                .build()
                .start();
        ManagedChannel channel =
                ControllerChannel.open("127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create());
        try {
            int received = 0;
            for (int round = 0; round < 5; round++) {
                var it = ClientCalls.blockingServerStreamingCall(
                        channel, UPDATES, CallOptions.DEFAULT, new byte[] {(byte) round});
                while (it.hasNext()) {
                    assertThat(it.next()).hasSize(16 * 1024);
                    received++;
                }
            }
            assertThat(received).isEqualTo(5 * 20);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            frames.removeHandler(capture);
            frames.setLevel(level);
        }
        assertThat(seen).as("the frame log works").anyMatch(m -> m.contains("INBOUND HEADERS"));
        assertThat(seen).noneMatch(m -> m.contains("INBOUND PING") && m.contains("ack=false"));
    }

    /** Twenty updates of 16 KiB for each request. */
    private static void updates(byte[] request, StreamObserver<byte[]> out) {
        for (int i = 0; i < 20; i++) {
            out.onNext(new byte[16 * 1024]);
        }
        out.onCompleted();
    }
}
