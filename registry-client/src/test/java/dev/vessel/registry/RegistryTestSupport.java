package dev.vessel.registry;

import org.apache.curator.framework.CuratorFramework;

final class RegistryTestSupport {
    private RegistryTestSupport() {}

    static InstanceRecord record(String node, String service, String version, int port) {
        String container = service + "-" + version;
        return new InstanceRecord(node + "." + container, service, version, node, container, "z1",
                InstanceState.ACTIVE, 100, "127.0.0.1", port);
    }

    /** Expires the session the way a network partition longer than the session timeout would. */
    static void expireSession(CuratorFramework curator) throws Exception {
        curator.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
    }
}
