// Package stack describes the resources of one lambdakit example the way
// template.yaml declares them, so that the end-to-end tests and `make demo`
// deploy exactly what `sam deploy` ships: the same functions (built from the
// same constructors), the same ASL files and the same DefinitionSubstitutions.
//
// A [Spec] names every resource by its logical ID in template.yaml and refers
// to other resources with a [Ref], the Go form of !Ref and !GetAtt. The
// template test in package examples_test checks each Spec against
// template.yaml, and the localdeploy package deploys a Spec to the local
// emulator.
//
// Each function's main package is one line, through [Start]:
//
//	func main() { stack.Start(orders.NewValidatePayment) }
//
// Start loads the AWS configuration from the Lambda environment and hands the
// constructor os.Getenv, so the constructor reads the same environment
// variables the template sets. Locally, localdeploy calls the same
// constructor with the resolved values instead.
package stack
