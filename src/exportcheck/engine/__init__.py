"""Pure logic: rules in force, evaluation, classification, matching, diffs. No I/O."""
