package states

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lambdakit/lambdakit/localstack/asl"
	"github.com/lambdakit/lambdakit/localstack/internal/jsonpath"
)

// A Distributed Map reads its items with an ItemReader, groups them with an
// ItemBatcher and writes its results with a ResultWriter, each over S3. The
// engine asks its TaskRunner for the S3 calls, as for a Task state's
// resource: a [Task] whose Resource is arn:aws:states:::s3:getObject (Input
// {"Bucket","Key"}; the result carries "Body" as a string),
// arn:aws:states:::s3:listObjectsV2 (Input {"Bucket","Prefix",
// "ContinuationToken"}; the result is ListObjectsV2's output, with "Contents",
// "IsTruncated" and "NextContinuationToken") or arn:aws:states:::s3:putObject
// (Input {"Bucket","Key","Body"}).
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html

// maxItemsLimit is ReaderConfig's largest MaxItems; larger values read
// everything (LocalStack's AWS-recorded test_map_item_reader_csv_max_items).
const maxItemsLimit = 100_000_000

// s3Call runs one S3 call of a Distributed Map through the task runner.
func (th *thread) s3Call(ctx context.Context, run *stateRun, action string, input map[string]any) (map[string]any, error) {
	runner := th.x.e.opts.runner
	if runner == nil {
		return nil, fmt.Errorf("the test bed's Step Functions engine has no runner for s3:%s", action)
	}
	res, err := runner.RunTask(ctx, &Task{Resource: "arn:aws:states:::s3:" + action, Service: "s3", Action: action, Input: input,
		ExecutionARN: th.x.arn, StateName: run.name, Region: th.x.e.opts.region})
	if err != nil {
		return nil, err
	}
	m, _ := res.(map[string]any)
	return m, nil
}

// readerSpec is an ItemReader with its parameters and limits evaluated.
type readerSpec struct {
	resource  string
	params    map[string]any
	inputType string
	maxItems  int            // 0: all
	config    map[string]any // ReaderConfig
}

// evalReader evaluates an ItemReader's Parameters (or Arguments) and
// MaxItems(Path): a bad MaxItemsPath fails the state before the Map Run
// starts, as on AWS.
func (th *thread) evalReader(ctx context.Context, st *asl.State, run *stateRun, input any, ctxObj map[string]any) (*readerSpec, *Failure) {
	r := st.ItemReader
	spec := &readerSpec{}
	spec.resource, _ = r["Resource"].(string)
	cfg, _ := r["ReaderConfig"].(map[string]any)
	spec.config = cfg
	spec.inputType, _ = cfg["InputType"].(string)
	var (
		params any = map[string]any{}
		f      *Failure
	)
	if st.QueryLanguage == asl.JSONata {
		env := newJSONataEnv(run, input, ctxObj)
		if args, ok := r["Arguments"]; ok {
			if params, f = env.eval(ctx, "ItemReader.Arguments", args); f != nil {
				return nil, f
			}
		}
		if mi, ok := cfg["MaxItems"]; ok {
			v, f := env.eval(ctx, "ItemReader.ReaderConfig.MaxItems", mi)
			if f != nil {
				return nil, f
			}
			n, ok := number(v)
			if !ok {
				return nil, runtimeFailure(errQueryEvaluation, run, "The JSONata expression specified for the field 'MaxItems' returned an unexpected result type. Expected 'integer', but was '%s' for value: %s", jsonType(v), marshal(v))
			}
			spec.maxItems = clampMaxItems(n)
		}
	} else {
		if p, ok := r["Parameters"]; ok {
			if params, f = evalTemplate(run, p, input, ctxObj); f != nil {
				return nil, f
			}
		}
		if mi, ok := cfg["MaxItems"]; ok {
			n, _ := number(mi)
			spec.maxItems = clampMaxItems(n)
		}
		if p, ok := cfg["MaxItemsPath"].(string); ok {
			n, f := pathNumber(run, p, input, "MaxItemsPath", "integer")
			if f != nil {
				return nil, f
			}
			if n < 0 {
				spec.maxItems = -1 // fails in the Map Run, as on AWS
			} else {
				spec.maxItems = clampMaxItems(n)
			}
		}
	}
	spec.params, _ = params.(map[string]any)
	if spec.params == nil {
		spec.params = map[string]any{}
	}
	return spec, nil
}

func clampMaxItems(n float64) int {
	if n >= maxItemsLimit {
		return 0
	}
	return int(n)
}

// readItems runs an ItemReader: a failure is States.ItemReaderFailed, in
// the Map Run.
func (th *thread) readItems(ctx context.Context, run *stateRun, spec *readerSpec) ([]any, *Failure) {
	if spec.maxItems < 0 {
		return nil, &Failure{Error: errItemReaderFailed, Cause: "field MaxItems must be positive"}
	}
	var (
		items []any
		f     *Failure
	)
	switch spec.resource {
	case "arn:aws:states:::s3:listObjectsV2":
		items, f = th.listObjects(ctx, run, spec)
	case "arn:aws:states:::s3:getObject":
		items, f = th.readObject(ctx, run, spec)
	default:
		return nil, &Failure{Error: errItemReaderFailed, Cause: fmt.Sprintf("The test bed's Step Functions engine does not read items from %s.", spec.resource)}
	}
	if f != nil {
		return nil, f
	}
	if spec.maxItems > 0 && len(items) > spec.maxItems {
		items = items[:spec.maxItems]
	}
	return items, nil
}

// listObjects makes an item of each object the listing returns, every page.
func (th *thread) listObjects(ctx context.Context, run *stateRun, spec *readerSpec) ([]any, *Failure) {
	var items []any
	in := make(map[string]any, len(spec.params)+1)
	for k, v := range spec.params {
		in[k] = v
	}
	for {
		out, err := th.s3Call(ctx, run, "listObjectsV2", in)
		if err != nil {
			return nil, readerFailure(err)
		}
		contents, _ := out["Contents"].([]any)
		for _, c := range contents {
			o, _ := c.(map[string]any)
			item := map[string]any{"Key": o["Key"], "Etag": o["ETag"], "Size": o["Size"], "StorageClass": o["StorageClass"]}
			if s, ok := o["LastModified"].(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
					item["LastModified"] = json.Number(strconv.FormatInt(t.Unix(), 10))
				}
			}
			items = append(items, item)
			if spec.maxItems > 0 && len(items) >= spec.maxItems {
				return items, nil
			}
		}
		next, _ := out["NextContinuationToken"].(string)
		if truncated, _ := out["IsTruncated"].(bool); !truncated || next == "" {
			return items, nil
		}
		in["ContinuationToken"] = next
	}
}

// readObject reads one object as JSON, JSONL or CSV. (MANIFEST and PARQUET
// are refused clearly.)
func (th *thread) readObject(ctx context.Context, run *stateRun, spec *readerSpec) ([]any, *Failure) {
	switch spec.inputType {
	case "JSON", "JSONL", "CSV":
	case "":
		return nil, &Failure{Error: errItemReaderFailed, Cause: "ReaderConfig.InputType is required to read items from s3:getObject."}
	default:
		return nil, &Failure{Error: errItemReaderFailed, Cause: fmt.Sprintf("The test bed's Step Functions engine does not read InputType %s yet.", spec.inputType)}
	}
	out, err := th.s3Call(ctx, run, "getObject", spec.params)
	if err != nil {
		return nil, readerFailure(err)
	}
	body, _ := out["Body"].(string)
	switch spec.inputType {
	case "JSON":
		v, err := jsonpath.Decode([]byte(body))
		if err != nil {
			return nil, &Failure{Error: errItemReaderFailed, Cause: "The object is not valid JSON: " + err.Error()}
		}
		items, ok := v.([]any)
		if !ok {
			return nil, &Failure{Error: errItemReaderFailed, Cause: "Attempting to map over non-iterable node."}
		}
		return items, nil
	case "JSONL":
		var items []any
		sc := bufio.NewScanner(strings.NewReader(body))
		sc.Buffer(nil, 1<<24)
		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			v, err := jsonpath.Decode(line)
			if err != nil {
				return nil, &Failure{Error: errItemReaderFailed, Cause: fmt.Sprintf("Line %d is not valid JSON: %v", n, err)}
			}
			items = append(items, v)
		}
		return items, nil
	}
	return csvItems(body, spec.config)
}

// csvItems makes an object of each CSV row, keyed by the headers (the first
// row, or CSVHeaders), every value a string. A short row is padded with
// empty strings and a long row cut to the headers (LocalStack's
// AWS-recorded test_map_item_reader_csv_* cases).
func csvItems(body string, cfg map[string]any) ([]any, *Failure) {
	r := csv.NewReader(strings.NewReader(body))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	switch d, _ := cfg["CSVDelimiter"].(string); d {
	case "", "COMMA":
	case "PIPE":
		r.Comma = '|'
	case "SEMICOLON":
		r.Comma = ';'
	case "SPACE":
		r.Comma = ' '
	case "TAB":
		r.Comma = '\t'
	default:
		return nil, &Failure{Error: errItemReaderFailed, Cause: "Unknown CSVDelimiter " + d}
	}
	var headers []string
	if loc, _ := cfg["CSVHeaderLocation"].(string); loc == "GIVEN" {
		hs, _ := cfg["CSVHeaders"].([]any)
		for _, h := range hs {
			s, _ := h.(string)
			headers = append(headers, s)
		}
	} else {
		row, err := r.Read()
		if err == io.EOF {
			return []any{}, nil
		}
		if err != nil {
			return nil, &Failure{Error: errItemReaderFailed, Cause: "The CSV object could not be read: " + err.Error()}
		}
		headers = row
	}
	seen := make(map[string]bool, len(headers))
	for _, h := range headers {
		if seen[h] {
			return nil, &Failure{Error: errItemReaderFailed, Cause: "CSV headers cannot contain duplicates."}
		}
		seen[h] = true
	}
	items := []any{}
	for {
		row, err := r.Read()
		if err == io.EOF {
			return items, nil
		}
		if err != nil {
			return nil, &Failure{Error: errItemReaderFailed, Cause: "The CSV object could not be read: " + err.Error()}
		}
		item := make(map[string]any, len(headers))
		for i, h := range headers {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			item[h] = v
		}
		items = append(items, item)
	}
}

func readerFailure(err error) *Failure {
	if f := FailureOf(err); f != nil {
		return &Failure{Error: errItemReaderFailed, Cause: f.Cause}
	}
	return &Failure{Error: errItemReaderFailed, Cause: err.Error()}
}

// batchItems groups the items as an ItemBatcher says: each batch is
// {"Items": [...]} plus "BatchInput" when given, with at most
// MaxItemsPerBatch items and MaxInputBytesPerBatch bytes of items.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
func (th *thread) batchItems(ctx context.Context, st *asl.State, run *stateRun, input any, ctxObj map[string]any, items []any) ([]any, *Failure) {
	b := st.ItemBatcher
	var env *jsonataEnv
	if st.QueryLanguage == asl.JSONata {
		env = newJSONataEnv(run, input, ctxObj)
	}
	limit := func(field string) (int, *Failure) {
		v, ok := b[field]
		if env != nil && ok {
			ev, f := env.eval(ctx, field, v)
			if f != nil {
				return 0, f
			}
			v = ev
		}
		if p, isPath := b[field+"Path"].(string); isPath && env == nil {
			n, f := pathNumber(run, p, input, field+"Path", "integer")
			return int(n), f
		}
		if !ok {
			return 0, nil
		}
		n, isNum := number(v)
		if !isNum || n < 0 || n != math.Trunc(n) {
			return 0, runtimeFailure(errRuntime, run, "The value of the field '%s' must be a positive integer: %s", field, marshal(v))
		}
		return int(n), nil
	}
	maxItems, f := limit("MaxItemsPerBatch")
	if f != nil {
		return nil, f
	}
	maxBytes, f := limit("MaxInputBytesPerBatch")
	if f != nil {
		return nil, f
	}
	if maxBytes == 0 || maxBytes > maxPayload {
		maxBytes = maxPayload
	}
	var batchInput any
	bi, hasBatchInput := b["BatchInput"]
	if hasBatchInput {
		switch {
		case env != nil:
			batchInput, f = env.eval(ctx, "BatchInput", bi)
		default:
			batchInput, f = evalTemplate(run, bi, input, ctxObj)
		}
		if f != nil {
			return nil, f
		}
	}
	var (
		batches []any
		cur     []any
		size    int
	)
	flush := func() {
		if len(cur) == 0 {
			return
		}
		batch := map[string]any{"Items": cur}
		if hasBatchInput {
			batch["BatchInput"] = batchInput
		}
		batches = append(batches, batch)
		cur, size = nil, 0
	}
	for _, item := range items {
		n := len(marshal(item))
		if len(cur) > 0 && (maxItems > 0 && len(cur) >= maxItems || size+n > maxBytes) {
			flush()
		}
		cur = append(cur, item)
		size += n
	}
	flush()
	if batches == nil {
		batches = []any{}
	}
	return batches, nil
}

// childResult is one child workflow execution of a Map Run, as a
// ResultWriter writes it.
type childResult struct {
	name, input, output, error, cause string
	status                            string
	start, stop                       time.Time
}

// writeResults writes a Map Run's results where its ResultWriter says
// (manifest.json and one SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json
// per status under Prefix/<map run id>/) and returns the Map state's
// result: {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}.
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
func (th *thread) writeResults(ctx context.Context, st *asl.State, run *stateRun, input any, ctxObj map[string]any, mapRunARN string, children []childResult) (any, *Failure) {
	w := st.ResultWriter
	var (
		params any = map[string]any{}
		f      *Failure
	)
	if st.QueryLanguage == asl.JSONata {
		if args, ok := w["Arguments"]; ok {
			params, f = newJSONataEnv(run, input, ctxObj).eval(ctx, "ResultWriter.Arguments", args)
		}
	} else if p, ok := w["Parameters"]; ok {
		params, f = evalTemplate(run, p, input, ctxObj)
	}
	if f != nil {
		return nil, f
	}
	if _, ok := w["WriterConfig"]; ok {
		return nil, runtimeFailure(errRuntime, run, "The test bed's Step Functions engine does not run ResultWriter.WriterConfig yet.")
	}
	pm, _ := params.(map[string]any)
	bucket, _ := pm["Bucket"].(string)
	prefix, _ := pm["Prefix"].(string)
	id := mapRunARN[strings.LastIndex(mapRunARN, ":")+1:]
	dir := path.Join(prefix, id)
	files := map[string][]any{"SUCCEEDED": {}, "FAILED": {}, "PENDING": {}}
	for _, c := range children {
		rec := map[string]any{
			"ExecutionArn": th.x.e.arn("execution", th.x.sm.name+"/"+mapRunLabel(st)+":"+c.name),
			"Input":        c.input, "InputDetails": map[string]any{"Included": true},
			"Name":         c.name,
			"RedriveCount": json.Number("0"),
			"StartDate":    timestamp(c.start), "StopDate": timestamp(c.stop),
			"StateMachineArn": th.x.e.arn("stateMachine", th.x.sm.name+"/"+mapRunLabel(st)), "Status": c.status,
		}
		key := "SUCCEEDED"
		if c.status == "SUCCEEDED" {
			rec["Output"], rec["OutputDetails"] = c.output, map[string]any{"Included": true}
			rec["RedriveStatus"], rec["RedriveStatusReason"] = "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"
		} else {
			key = "FAILED"
			rec["Error"], rec["Cause"] = c.error, c.cause
		}
		files[key] = append(files[key], rec)
	}
	results := map[string]any{}
	for _, status := range []string{"FAILED", "PENDING", "SUCCEEDED"} {
		list := []any{}
		if recs := files[status]; len(recs) > 0 || status == "SUCCEEDED" {
			key := path.Join(dir, status+"_0.json")
			body := marshal(recs)
			if _, err := th.s3Call(ctx, run, "putObject", map[string]any{"Bucket": bucket, "Key": key, "Body": body}); err != nil {
				return nil, &Failure{Error: "States.ResultWriterFailed", Cause: err.Error()}
			}
			list = append(list, map[string]any{"Key": key, "Size": json.Number(strconv.Itoa(len(body)))})
		}
		results[status] = list
	}
	manifestKey := path.Join(dir, "manifest.json")
	manifest := map[string]any{"DestinationBucket": bucket, "MapRunArn": mapRunARN, "ResultFiles": results}
	if _, err := th.s3Call(ctx, run, "putObject", map[string]any{"Bucket": bucket, "Key": manifestKey, "Body": marshal(manifest)}); err != nil {
		return nil, &Failure{Error: "States.ResultWriterFailed", Cause: err.Error()}
	}
	return map[string]any{"MapRunArn": mapRunARN, "ResultWriterDetails": map[string]any{"Bucket": bucket, "Key": manifestKey}}, nil
}

// mapRunLabel is the Map Run's label: the state's Label, else its name.
func mapRunLabel(st *asl.State) string {
	if st.Label != "" {
		return st.Label
	}
	return st.Name
}

// newMapRunARN is arn:aws:states:<region>:<account>:mapRun:<state machine>/<label>:<id>.
func (th *thread) newMapRunARN(st *asl.State) string {
	return th.x.e.arn("mapRun", th.x.sm.name+"/"+mapRunLabel(st)+":"+uuid.NewString())
}
