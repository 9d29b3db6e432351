package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;

/**
 * Scoped access tokens under {@code {root}/tokens/{id}}: each znode holds an {@link AccessToken}, the token's
 * verifier and what it allows, never the token. Revoking deletes it; nodes watch the folder, so a change reaches
 * every node as fast as a ZooKeeper watch does.
 */
public final class TokenStore {
    private final RegistryConnection connection;

    public TokenStore(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    /** Stores a new token's record. */
    public void create(AccessToken token) {
        String path = connection.layout().token(token.id());
        try {
            connection.curator().create().creatingParentContainersIfNeeded().forPath(path, RecordJson.write(token));
        } catch (KeeperException.NodeExistsException exists) {
            throw new RegistryException("a token with id " + token.id() + " exists already");
        } catch (Exception e) {
            throw new RegistryException("could not store token " + token.id() + ": " + e.getMessage(), e);
        }
    }

    public Optional<AccessToken> read(String id) {
        String path = connection.layout().token(id);
        try {
            return Optional.of(RecordJson.read(connection.curator().getData().forPath(path), AccessToken.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RegistryException("unreadable token record at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Every token's record, oldest first; a record that cannot be read is left out. */
    public List<AccessToken> list() {
        List<String> ids;
        try {
            ids = connection.curator().getChildren().forPath(connection.layout().tokens());
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw new RegistryException("could not list tokens: " + e.getMessage(), e);
        }
        List<AccessToken> tokens = new ArrayList<>();
        for (String id : ids) {
            try {
                read(id).ifPresent(tokens::add);
            } catch (RegistryException | IllegalArgumentException unreadable) {
                // not a record Vessel wrote: it allows nothing, and a listing shows the rest
            }
        }
        tokens.sort(Comparator.comparingLong(AccessToken::created));
        return tokens;
    }

    /** Deletes a token's record: the token allows nothing from then on. @return false if there was none */
    public boolean revoke(String id) {
        try {
            connection.curator().delete().forPath(connection.layout().token(id));
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw new RegistryException("could not revoke token " + id + ": " + e.getMessage(), e);
        }
    }
}
