package localstack_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// distributedMap is a DISTRIBUTED Map whose ItemReader, ItemBatcher and
// ResultWriter are given as JSON members, over a Pass state.
func distributedMap(members string) string {
	return `{"StartAt":"Map","States":{"Map":{"Type":"Map",` + members + `,
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
			"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
}

func s3Client(em *localstack.Emulator) *s3.Client {
	return s3.NewFromConfig(em.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

func putObjects(ctx context.Context, t *testing.T, client *s3.Client, bucket string, objects map[string]string) {
	t.Helper()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	for k, body := range objects {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
}

func runDefinition(ctx context.Context, t *testing.T, cfg aws.Config, def, input string) *fixture.Execution {
	t.Helper()
	sm, err := sfn.NewFromConfig(cfg).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(fixture.Name(t, "sm")),
		Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := fixture.RunExecution(ctx, cfg, aws.ToString(sm.StateMachineArn), "", input)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestDistributedMapOverS3 runs ItemReader, ItemBatcher and ResultWriter
// against the emulator's S3; the expected items are LocalStack's
// AWS-recorded test_map_item_reader_* outputs for the same objects.
func TestDistributedMapOverS3(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	ctx := testContext(t)
	client := s3Client(em)
	bucket := strings.ToLower(fixture.Name(t, "items"))
	csvBody := "Col1,Col2,Col3\nValue1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"
	putObjects(ctx, t, client, bucket, map[string]string{
		"file.csv":    csvBody,
		"data.json":   `[{"verdict":"true","statement_date":"6/11/2008"},{"verdict":"false","statement_date":"6/7/2022"},{"verdict":"mostly-true","statement_date":"5/18/2016"}]`,
		"data.jsonl":  "{\"a\":1}\n{\"a\":2}\n\n{\"a\":3}\n",
		"object.json": `{"not":"a list"}`,
		"dir/a.txt":   "hello world!",
		"dir/b.txt":   "hello world!",
	})
	reader := func(resource, params, config string) string {
		return `"ItemReader":{"Resource":"` + resource + `","Parameters":` + params + `,"ReaderConfig":` + config + `}`
	}
	getObject := func(key string) string { return `{"Bucket":"` + bucket + `","Key":"` + key + `"}` }
	tests := []struct {
		name, members, input   string
		wantStatus, wantOutput string
		wantError, wantCause   string
	}{
		{
			name:       "csv with the header in the first row",
			members:    reader("arn:aws:states:::s3:getObject", getObject("file.csv"), `{"InputType":"CSV","CSVHeaderLocation":"FIRST_ROW"}`),
			wantStatus: "SUCCEEDED",
			wantOutput: `[{"Col1":"Value1","Col2":"Value2","Col3":"Value3"},{"Col1":"Value4","Col2":"Value5","Col3":"Value6"},{"Col1":"","Col2":"","Col3":""},{"Col1":"true","Col2":"1","Col3":"'HelloWorld'"},{"Col1":"Null","Col2":"None","Col3":""},{"Col1":"   ","Col2":"","Col3":""}]`,
		},
		{
			name:       "csv with given headers and MaxItems",
			members:    reader("arn:aws:states:::s3:getObject", getObject("file.csv"), `{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["H1"],"MaxItems":2}`),
			wantStatus: "SUCCEEDED",
			wantOutput: `[{"H1":"Col1"},{"H1":"Value1"}]`,
		},
		{
			name:       "csv with duplicate headers",
			members:    reader("arn:aws:states:::s3:getObject", getObject("file.csv"), `{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["H1","H1"]}`),
			wantStatus: "FAILED", wantError: "States.ItemReaderFailed", wantCause: "CSV headers cannot contain duplicates.",
		},
		{
			name:       "json with MaxItemsPath",
			members:    reader("arn:aws:states:::s3:getObject", getObject("data.json"), `{"InputType":"JSON","MaxItemsPath":"$.max"}`),
			input:      `{"max":2}`,
			wantStatus: "SUCCEEDED",
			wantOutput: `[{"verdict":"true","statement_date":"6/11/2008"},{"verdict":"false","statement_date":"6/7/2022"}]`,
		},
		{
			name:       "json MaxItemsPath negative",
			members:    reader("arn:aws:states:::s3:getObject", getObject("data.json"), `{"InputType":"JSON","MaxItemsPath":"$.max"}`),
			input:      `{"max":-1}`,
			wantStatus: "FAILED", wantError: "States.ItemReaderFailed", wantCause: "field MaxItems must be positive",
		},
		{
			name:       "json that is not a list",
			members:    reader("arn:aws:states:::s3:getObject", getObject("object.json"), `{"InputType":"JSON"}`),
			wantStatus: "FAILED", wantError: "States.ItemReaderFailed", wantCause: "Attempting to map over non-iterable node.",
		},
		{
			name:       "jsonl",
			members:    reader("arn:aws:states:::s3:getObject", getObject("data.jsonl"), `{"InputType":"JSONL"}`),
			wantStatus: "SUCCEEDED", wantOutput: `[{"a":1},{"a":2},{"a":3}]`,
		},
		{
			name:       "no such key",
			members:    reader("arn:aws:states:::s3:getObject", getObject("missing.json"), `{"InputType":"JSON"}`),
			wantStatus: "FAILED", wantError: "States.ItemReaderFailed",
		},
		{
			name: "batches of two with batch input",
			members: reader("arn:aws:states:::s3:getObject", getObject("data.jsonl"), `{"InputType":"JSONL"}`) +
				`,"ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"run.$":"$.run"}}`,
			input:      `{"run":"r1"}`,
			wantStatus: "SUCCEEDED",
			wantOutput: `[{"BatchInput":{"run":"r1"},"Items":[{"a":1},{"a":2}]},{"BatchInput":{"run":"r1"},"Items":[{"a":3}]}]`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			input := tc.input
			if input == "" {
				input = "{}"
			}
			ex := runDefinition(ctx, t, em.AWSConfig(), distributedMap(tc.members), input)
			if ex.Status != tc.wantStatus || ex.Error != tc.wantError || tc.wantCause != "" && ex.Cause != tc.wantCause {
				t.Fatalf("status %s error %q cause %q, want %s %q %q", ex.Status, ex.Error, ex.Cause, tc.wantStatus, tc.wantError, tc.wantCause)
			}
			if tc.wantOutput != "" {
				assertJSON(t, tc.wantOutput, ex.Output)
			}
		})
	}

	t.Run("list objects", func(t *testing.T) {
		t.Parallel()
		ex := runDefinition(ctx, t, em.AWSConfig(), distributedMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"`+bucket+`","Prefix":"dir/"}}`), "{}")
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("status %s: %s %s", ex.Status, ex.Error, ex.Cause)
		}
		var items []map[string]any
		if err := json.Unmarshal([]byte(ex.Output), &items); err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0]["Key"] != "dir/a.txt" || items[0]["Size"] != 12.0 || items[0]["StorageClass"] != "STANDARD" {
			t.Fatalf("items %s", ex.Output)
		}
		if _, ok := items[0]["Etag"].(string); !ok {
			t.Errorf("item without Etag: %v", items[0])
		}
		if _, ok := items[0]["LastModified"].(float64); !ok {
			t.Errorf("LastModified %v, want epoch seconds", items[0]["LastModified"])
		}
	})

	t.Run("result writer", func(t *testing.T) {
		t.Parallel()
		def := `{"StartAt":"Map","States":{"Map":{"Type":"Map","Label":"TestMap",
			"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
			"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"` + bucket + `","Prefix":"mapJobs"}},"End":true}}}`
		ex := runDefinition(ctx, t, em.AWSConfig(), def, `["Hello","World"]`)
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("status %s: %s %s", ex.Status, ex.Error, ex.Cause)
		}
		var out struct {
			MapRunArn           string
			ResultWriterDetails struct{ Bucket, Key string }
		}
		if err := json.Unmarshal([]byte(ex.Output), &out); err != nil {
			t.Fatal(err)
		}
		id := out.MapRunArn[strings.LastIndex(out.MapRunArn, ":")+1:]
		if !strings.Contains(out.MapRunArn, ":mapRun:") || !strings.Contains(out.MapRunArn, "/TestMap:") ||
			out.ResultWriterDetails.Bucket != bucket || out.ResultWriterDetails.Key != "mapJobs/"+id+"/manifest.json" {
			t.Fatalf("output %s", ex.Output)
		}
		var manifest struct {
			DestinationBucket, MapRunArn string
			ResultFiles                  map[string][]struct{ Key string }
		}
		getJSON(ctx, t, client, bucket, out.ResultWriterDetails.Key, &manifest)
		if manifest.MapRunArn != out.MapRunArn || len(manifest.ResultFiles["SUCCEEDED"]) != 1 {
			t.Fatalf("manifest %+v", manifest)
		}
		var results []struct{ Input, Output, Status string }
		getJSON(ctx, t, client, bucket, manifest.ResultFiles["SUCCEEDED"][0].Key, &results)
		var got []string
		for _, r := range results {
			got = append(got, r.Status+" "+r.Input+" "+r.Output)
		}
		if diff := cmp.Diff([]string{`SUCCEEDED "Hello" "Hello"`, `SUCCEEDED "World" "World"`}, got); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
	})

	t.Run("aws-sdk s3", func(t *testing.T) {
		t.Parallel()
		def := `{"StartAt":"Put","States":{
			"Put":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:putObject","Parameters":{"Bucket":"` + bucket + `","Key":"sdk.json","Body.$":"$.doc"},"ResultPath":"$.put","Next":"Get"},
			"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"` + bucket + `","Key":"sdk.json"},"ResultSelector":{"Body.$":"$.Body","Length.$":"$.ContentLength"},"ResultPath":"$.get","Next":"Missing"},
			"Missing":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"` + bucket + `","Key":"missing"},
				"Catch":[{"ErrorEquals":["S3.NoSuchKeyException"],"ResultPath":"$.err","Next":"Done"}],"End":true},
			"Done":{"Type":"Pass","End":true}}}`
		ex := runDefinition(ctx, t, em.AWSConfig(), def, `{"doc":{"k":"v"}}`)
		if ex.Status != "SUCCEEDED" {
			t.Fatalf("status %s: %s %s", ex.Status, ex.Error, ex.Cause)
		}
		var out struct {
			Get struct {
				Body   string
				Length int
			}
			Err struct{ Error, Cause string }
		}
		if err := json.Unmarshal([]byte(ex.Output), &out); err != nil {
			t.Fatal(err)
		}
		if out.Get.Body != `{"k":"v"}` || out.Get.Length != 9 {
			t.Errorf("get %+v, want the JSON text of the put body", out.Get)
		}
		if out.Err.Error != "S3.NoSuchKeyException" || !strings.HasPrefix(out.Err.Cause, "The specified key does not exist. (Service: S3, Status Code: 404, Request ID: ") {
			t.Errorf("error %+v", out.Err)
		}
	})
}

func getJSON(ctx context.Context, t *testing.T, client *s3.Client, bucket, key string, v any) {
	t.Helper()
	o, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer o.Body.Close()
	b, err := io.ReadAll(o.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v: %s", key, err, b)
	}
}

// TestStartSyncExecutionThroughTestBed: the test bed's aws.Config keeps the
// SDK's sync- host prefix off, so StartSyncExecution reaches the engine.
func TestStartSyncExecutionThroughTestBed(t *testing.T) {
	t.Parallel()
	em := localstack.Shared(t)
	ctx := testContext(t)
	api := sfn.NewFromConfig(em.AWSConfig())
	sm, err := api.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(fixture.Name(t, "express")), Type: "EXPRESS",
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"ok","End":true}}}`), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := api.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != "SUCCEEDED" || aws.ToString(out.Output) != `"ok"` {
		t.Errorf("status %s output %s", out.Status, aws.ToString(out.Output))
	}
}
