package dev.vessel.host.internal.quorum;

/** The admin token of every in-process quorum test: this JVM's ZooKeeper super identity derives from it (pom). */
final class QuorumTesting {
    static final String TOKEN = "quorum-test-token-0123456789";

    private QuorumTesting() {}
}
