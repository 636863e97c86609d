// Package template deploys a SAM or CloudFormation template into lambdakit's
// test bed from a Go test: queues, tables, state machines and functions,
// with unique names so parallel tests and subtests share one emulator, and
// everything removed when the test ends.
//
//	func TestOrders(t *testing.T) {
//		em := localstack.Shared(t)
//		st := template.DeployInTest(t, em, "../template.yaml",
//			template.WithResources("OrdersStateMachine"),
//			template.WithHandler("OrdersValidatePaymentFunction", validatepayment.New))
//		ex, err := fixture.RunExecution(t.Context(), em.AWSConfig(), st.Outputs["OrdersStateMachineArn"], "", `{}`)
//		...
//	}
//
// [Parse] reads the template (YAML with the short-form tags, or JSON) and
// checks what needs no deployment; [Template.Deploy] evaluates every
// property with the names it will use before it creates anything, then
// creates the resources in dependency order. Errors are [*Error] values
// naming the file, line, logical ID and property, wrapping [ErrInvalid],
// [ErrUnresolved], [ErrCycle] or [ErrUnsupported].
//
// # Resources
//
// Deployed: AWS::Serverless::Function, AWS::Lambda::EventSourceMapping (SQS),
// AWS::Serverless::StateMachine, AWS::StepFunctions::StateMachine,
// AWS::SQS::Queue, AWS::DynamoDB::Table and AWS::Serverless::SimpleTable,
// with SAM's Globals for Function, SimpleTable and StateMachine (scalars:
// the resource wins; mappings: merged; lists: the global entries first).
// Every other type (AWS::Logs::LogGroup, IAM, APIs, ...) and every event
// source other than a function's SQS event (Schedule, S3, Api, a state
// machine's events) is listed in one [*UnsupportedError], unless
// [WithSkipUnsupported] deploys the rest and reports each skip in
// [Stack.Skipped] and through the logger.
//
// Ref returns what CloudFormation returns: a function's name, a queue's URL,
// a table's name, a state machine's ARN, a mapping's id. Fn::GetAtt knows
// Arn for all, QueueName and QueueUrl for queues, StreamArn for tables,
// Name for state machines, Id and EventSourceMappingArn for mappings.
//
// Physical names are the template's (QueueName, TableName, FunctionName,
// Name, StateMachineName), with the stack name put in front unless they
// start with it (as ${AWS::StackName}-x does), else stack-LogicalID; a name
// too long for its service is cut and given a hash. FIFO queues end in
// .fifo.
//
// # Properties
//
// Applied: a function's FunctionName, Timeout (default 3 s), MemorySize,
// Environment.Variables, CodeUri and SQS Events (Queue, BatchSize,
// MaximumBatchingWindowInSeconds, ScalingConfig.MaximumConcurrency,
// FunctionResponseTypes, Enabled); the same settings of an
// EventSourceMapping; a queue's QueueName, FifoQueue,
// ContentBasedDeduplication, VisibilityTimeout, MessageRetentionPeriod,
// DelaySeconds, MaximumMessageSize, ReceiveMessageWaitTimeSeconds,
// RedrivePolicy, DeduplicationScope and FifoThroughputLimit; a table's keys,
// attribute definitions, GSIs, LSIs, billing (CloudFormation's default is
// PROVISIONED), TTL and stream; a state machine's name, type, Definition,
// DefinitionUri or DefinitionString, and DefinitionSubstitutions (a
// placeholder without a value is an error). DefinitionS3Location, a CodeUri
// or DefinitionUri in S3, and FilterCriteria are [ErrUnsupported] errors.
//
// Ignored by design, because they change nothing in a local run: IAM
// (Policies, Role, RoleArn, PermissionsBoundary), observability (Tracing,
// TracingConfiguration, LoggingConfig, Logging, LoggingConfiguration),
// the execution platform (Runtime, Handler, Architectures, Layers,
// VpcConfig, EphemeralStorage, SnapStart, reserved and provisioned
// concurrency), deployment (AutoPublishAlias, DeploymentPreference, Tags),
// encryption (SqsManagedSseEnabled, KmsMasterKeyId, SSESpecification), and
// a table's PointInTimeRecoverySpecification, DeletionProtectionEnabled and
// TableClass. CodeUri is ignored when a Go handler is bound. Any other
// property the package does not know is logged as not applied.
//
// # Intrinsics, parameters and conditions
//
// Ref (resources, parameters, AWS::Region, AWS::AccountId, AWS::StackName,
// AWS::StackId, AWS::Partition, AWS::URLSuffix, AWS::NoValue), Fn::GetAtt
// ("A.B" and [A, B]), Fn::Sub (both forms, ${!Literal}), Fn::Join,
// Fn::Select, Fn::Split, Fn::If, Fn::Base64 and Fn::FindInMap are
// evaluated. Fn::ImportValue and Fn::GetAZs are [ErrUnsupported] errors.
// Parameters take their Default or [WithParameter]'s value, checked against
// AllowedValues, AllowedPattern and the bounds. Conditions (Fn::Equals,
// Fn::And, Fn::Or, Fn::Not, Condition) are evaluated over the parameters;
// a resource whose condition is false is not created.
//
// # Functions
//
// A function bound by [WithHandler] runs as a Go handler in the test
// process, registered with the target's function host
// ([localstack.Emulator.RegisterFunction]), so Step Functions tasks and
// Lambda Invoke calls reach it. Its environment is passed to the handler's
// constructor as a getenv function, never through os.Setenv, which parallel
// deployments would race on. An unbound function with Metadata BuildMethod
// go1.x is built from its CodeUri as sam build does (an executable named
// bootstrap, built for this machine) and run under the Runtime API emulator
// (package runtimeapi) with its environment; the go command must be on PATH.
// A built function runs one invocation at a time, as one Lambda execution
// environment does.
//
// An SQS event or an AWS::Lambda::EventSourceMapping starts a local
// event-source mapping (package esm) with the template's settings, stopped
// by [Stack.Close]. As on Lambda, the queue's visibility timeout must
// cover the function timeout.
//
// See https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html
// and https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html.
package template
