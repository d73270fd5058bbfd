/**
 * The command line's safety rails (issue 17): run folders that are never overwritten and are locked
 * while a run uses them ({@link dev.efficientnet.cli.safety.RunFolder}), outputs that may not replace
 * inputs ({@link dev.efficientnet.cli.safety.OutputPaths}), resume options checked against the saved
 * run ({@link dev.efficientnet.cli.safety.ResumeOptions}) and clean SIGTERM/SIGINT handling
 * ({@link dev.efficientnet.cli.safety.TrainingShutdown}).
 */
package dev.efficientnet.cli.safety;
