package template

import "slices"

// Resource types the test bed deploys.
const (
	typeFunction     = "AWS::Serverless::Function"
	typeMapping      = "AWS::Lambda::EventSourceMapping"
	typeSAMMachine   = "AWS::Serverless::StateMachine"
	typeStateMachine = "AWS::StepFunctions::StateMachine"
	typeQueue        = "AWS::SQS::Queue"
	typeTable        = "AWS::DynamoDB::Table"
	typeSimpleTable  = "AWS::Serverless::SimpleTable"
)

// kindInfo is what the package knows of a resource type: the properties it
// applies, those it ignores by design (documented in doc.go), the
// Fn::GetAtt attributes it returns, and its Globals section.
type kindInfo struct {
	used    []string
	ignored []string
	attrs   []string
	global  string
}

func (k kindInfo) uses(prop string) bool    { return slices.Contains(k.used, prop) }
func (k kindInfo) ignores(prop string) bool { return slices.Contains(k.ignored, prop) }
func (k kindInfo) hasAttr(attr string) bool { return slices.Contains(k.attrs, attr) }

// kindOf returns what the package knows of typ, and false for a type it
// does not deploy.
func kindOf(typ string) (kindInfo, bool) {
	switch typ {
	case typeFunction:
		return kindInfo{
			used: []string{"FunctionName", "Environment", "Timeout", "MemorySize", "CodeUri", "Events"},
			ignored: []string{"Policies", "Role", "RolePath", "Tracing", "LoggingConfig", "Architectures", "Runtime",
				"Handler", "Description", "Tags", "PropagateTags", "Layers", "AutoPublishAlias", "AutoPublishCodeSha256",
				"DeploymentPreference", "VpcConfig", "ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig",
				"PermissionsBoundary", "KmsKeyArn", "DeadLetterQueue", "EventInvokeConfig", "EphemeralStorage",
				"SnapStart", "RuntimeManagementConfig", "FunctionUrlConfig", "PackageType", "AssumeRolePolicyDocument",
				"FileSystemConfigs", "CodeSigningConfigArn", "VersionDescription", "RecursiveLoop"},
			attrs:  []string{"Arn"},
			global: "Function",
		}, true
	case typeMapping:
		return kindInfo{
			used: []string{"EventSourceArn", "FunctionName", "BatchSize", "MaximumBatchingWindowInSeconds",
				"ScalingConfig", "FunctionResponseTypes", "Enabled"},
			ignored: []string{"Tags", "MetricsConfig", "KmsKeyArn"},
			attrs:   []string{"Id", "EventSourceMappingArn"},
		}, true
	case typeSAMMachine:
		return kindInfo{
			used: []string{"Name", "Definition", "DefinitionUri", "DefinitionSubstitutions", "Type", "Events"},
			ignored: []string{"Policies", "Role", "RolePath", "Tracing", "Logging", "Tags", "PropagateTags",
				"PermissionsBoundary", "AutoPublishAlias", "DeploymentPreference", "UseAliasAsEventTarget"},
			attrs:  []string{"Arn", "Name"},
			global: "StateMachine",
		}, true
	case typeStateMachine:
		return kindInfo{
			used: []string{"StateMachineName", "Definition", "DefinitionString", "DefinitionS3Location",
				"DefinitionSubstitutions", "StateMachineType"},
			ignored: []string{"RoleArn", "LoggingConfiguration", "TracingConfiguration", "Tags", "EncryptionConfiguration"},
			attrs:   []string{"Arn", "Name"},
		}, true
	case typeQueue:
		return kindInfo{
			used: []string{"QueueName", "FifoQueue", "ContentBasedDeduplication", "VisibilityTimeout",
				"MessageRetentionPeriod", "DelaySeconds", "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds",
				"RedrivePolicy", "DeduplicationScope", "FifoThroughputLimit"},
			ignored: []string{"SqsManagedSseEnabled", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
				"RedriveAllowPolicy", "Tags"},
			attrs: []string{"Arn", "QueueName", "QueueUrl"},
		}, true
	case typeTable:
		return kindInfo{
			used: []string{"TableName", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
				"LocalSecondaryIndexes", "BillingMode", "ProvisionedThroughput", "TimeToLiveSpecification",
				"StreamSpecification"},
			ignored: []string{"SSESpecification", "PointInTimeRecoverySpecification", "Tags", "DeletionProtectionEnabled",
				"ContributorInsightsSpecification", "TableClass", "KinesisStreamSpecification", "ResourcePolicy",
				"WarmThroughput", "OnDemandThroughput"},
			attrs: []string{"Arn", "StreamArn"},
		}, true
	case typeSimpleTable:
		return kindInfo{
			used:    []string{"TableName", "PrimaryKey", "ProvisionedThroughput"},
			ignored: []string{"SSESpecification", "Tags", "PointInTimeRecoverySpecification"},
			attrs:   []string{"Arn"},
			global:  "SimpleTable",
		}, true
	}
	return kindInfo{}, false
}
