package dev.vessel.host.internal.quorum;

/** The admin token of every in-process quorum test: this JVM's ZooKeeper super identity derives from it (pom). */
final class QuorumTesting {
    static final String TOKEN = "quorum-test-token-0123456789";

    private QuorumTesting() {}

    /** A started session as the cluster's read-only identity (it may still write outside Vessel's root). */
    static org.apache.curator.framework.CuratorFramework reader(String connectString) {
        org.apache.curator.framework.CuratorFramework client = org.apache.curator.framework.CuratorFrameworkFactory
                .builder().connectString(connectString).retryPolicy(new org.apache.curator.retry.RetryOneTime(200))
                .authorization("digest", dev.vessel.registry.RegistryCredentials.forReader(
                        dev.vessel.registry.RegistryCredentials.readerSecret(TOKEN)).authInfo())
                .build();
        client.start();
        return client;
    }
}
