package dev.wgmesh.agent.sync;

import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.ControllerMessage;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-process controller: each Sync stream is handed to the test, which reads what the agent sends and answers. */
final class FakeController implements AutoCloseable {
    /** One Sync stream as the controller sees it. */
    static final class Stream {
        final BlockingQueue<AgentMessage> received = new LinkedBlockingQueue<>();
        final StreamObserver<ControllerMessage> out;
        final long openedNanos = System.nanoTime();
        volatile boolean closedByAgent;

        Stream(StreamObserver<ControllerMessage> out) {
            this.out = out;
        }

        AgentMessage next() throws InterruptedException {
            AgentMessage m = received.poll(5, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("the agent sent nothing within 5 s");
            }
            return m;
        }

        /** The next message that is not a keepalive or stats report. */
        AgentMessage nextSignificant() throws InterruptedException {
            while (true) {
                AgentMessage m = next();
                if (!m.hasKeepalive() && !m.hasStats()) {
                    return m;
                }
            }
        }

        void send(ControllerMessage m) {
            out.onNext(m);
        }
    }

    final BlockingQueue<Stream> streams = new LinkedBlockingQueue<>();
    /** Streams to refuse with UNAVAILABLE before accepting (a controller that is down). */
    final AtomicInteger refuse = new AtomicInteger();

    final AtomicInteger refused = new AtomicInteger();
    private final String name = "fake-controller-" + System.nanoTime();
    private final Server server;
    final ManagedChannel channel;

    FakeController() throws IOException {
        server = InProcessServerBuilder.forName(name)
                .directExecutor()
                .addService(new AgentServiceGrpc.AgentServiceImplBase() {
                    @Override
                    public StreamObserver<AgentMessage> sync(StreamObserver<ControllerMessage> responses) {
                        if (refuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            refused.incrementAndGet();
                            responses.onError(
                                    Status.UNAVAILABLE.withDescription("down").asRuntimeException());
                            return new StreamObserver<>() {
                                @Override
                                public void onNext(AgentMessage value) {}

                                @Override
                                public void onError(Throwable t) {}

                                @Override
                                public void onCompleted() {}
                            };
                        }
                        Stream s = new Stream(responses);
                        streams.add(s);
                        return new StreamObserver<>() {
                            @Override
                            public void onNext(AgentMessage value) {
                                s.received.add(value);
                            }

                            @Override
                            public void onError(Throwable t) {
                                s.closedByAgent = true;
                            }

                            @Override
                            public void onCompleted() {
                                s.closedByAgent = true;
                                responses.onCompleted();
                            }
                        };
                    }
                })
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    Stream nextStream() throws InterruptedException {
        Stream s = streams.poll(10, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("the agent opened no Sync stream within 10 s");
        }
        return s;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
