package dev.vessel.test;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a Vessel cluster for a JUnit 5 test class: an embedded ZooKeeper and {@link #nodes()} nodes in the test JVM,
 * on free loopback ports, each with its own data directory. A test method, constructor or lifecycle method takes it
 * as a {@link VesselTestCluster} parameter. One cluster serves the whole class unless {@link #freshPerMethod()}; it is
 * closed when the class (or method) is done, leaving no node, session, thread pool or file of its own behind.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(VesselTestExtension.class)
public @interface VesselTest {
    /** How many nodes, 1 or more. */
    int nodes() default 1;

    /** A new cluster for every test method instead of one for the class. */
    boolean freshPerMethod() default false;
}
