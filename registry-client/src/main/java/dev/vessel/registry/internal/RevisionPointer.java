package dev.vessel.registry.internal;

import dev.vessel.registry.RegistryException;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.TransactionOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The znode that holds the number of a record's current revision (configuration, rollout rule), with its znode
 * version: a new revision moves it in the same transaction that creates the revision, conditional on that version.
 *
 * @param revision     the current revision, 0 when there is none
 * @param znodeVersion the pointer's znode version, -1 when it does not exist yet
 */
public record RevisionPointer(long revision, int znodeVersion) {
    /** Reads the pointer at {@code path}; {@code what} names the record in errors. */
    public static RevisionPointer read(CuratorFramework curator, String path, String what) {
        Stat stat = new Stat();
        try {
            byte[] data = curator.getData().storingStatIn(stat).forPath(path);
            return new RevisionPointer(Long.parseLong(new String(data, StandardCharsets.US_ASCII).trim()),
                    stat.getVersion());
        } catch (KeeperException.NoNodeException e) {
            return new RevisionPointer(0, -1);
        } catch (NumberFormatException e) {
            throw new RegistryException("unreadable " + what + " pointer at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The operation that moves the pointer at {@code path} to {@code next}: create it, or set it if unchanged. */
    public CuratorOp moveTo(TransactionOp tx, String path, long next) throws Exception {
        byte[] number = Long.toString(next).getBytes(StandardCharsets.US_ASCII);
        return znodeVersion < 0 ? tx.create().forPath(path, number)
                : tx.setData().withVersion(znodeVersion).forPath(path, number);
    }
}
