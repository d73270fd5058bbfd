/**
 * Test-scope helpers shared by the modules' tests: the {@code ../shared} fixtures lookup and the
 * end-of-run report of skipped tests. Never a dependency of the library's users.
 */
package dev.efficientnet.testsupport;
