package dev.vessel.registry.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/** The children of a znode by name; a parent that does not exist yet simply has none. */
public final class ZkChildren {
    private ZkChildren() {}

    /** @throws Exception what Curator throws for anything but a missing parent */
    public static List<String> sorted(CuratorFramework curator, String path) throws Exception {
        try {
            List<String> names = new ArrayList<>(curator.getChildren().forPath(path));
            names.sort(null);
            return names;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }
}
