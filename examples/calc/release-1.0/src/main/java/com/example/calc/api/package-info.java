/** The calc API, release 1.0.0. */
@Export
@Version("1.0.0")
package com.example.calc.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
