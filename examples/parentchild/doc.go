// Package parentchild is the parent/child pattern of the users' write-up on
// Step Functions limits: a parent state machine maps over a list of users,
// at most 50 at a time, and starts one child execution per user with
// arn:aws:states:::states:startExecution.sync:2, waiting for each; the child
// processes exactly one user with [ProcessUser]. The parent's history grows
// by a few events per user and the per-user work happens in the children, so
// the pattern stays within the 25,000-event history limit for large lists.
//
// Each child execution is named after the parent's execution and the user's
// index, so a retried Map iteration cannot start a second child for the same
// user (StartExecution with an existing name and the same input is
// idempotent).
//
// [Stack] describes the example's resources as template.yaml declares them.
package parentchild
