package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/lambdakit/lambdakit/localstack/internal/invoke"
	"github.com/lambdakit/lambdakit/localstack/states"
)

// s3Task runs an S3 call on the emulator's S3: a Distributed Map's
// ItemReader and ResultWriter (arn:aws:states:::s3:getObject,
// listObjectsV2, putObject) and the aws-sdk:s3 integration's getObject,
// putObject, listObjectsV2, headObject and deleteObject. S3 speaks REST-XML,
// so the parameters go through the SDK's inputs; the result has the
// members Step Functions returns (LocalStack's AWS-recorded
// test_s3_get_object and test_s3_put_object), and an S3 error is
// S3.<Code>Exception with AWS's cause format (test_s3_no_such_key).
func (r *taskRunner) s3Task(ctx context.Context, t *states.Task) (any, error) {
	p, _ := t.Input.(map[string]any)
	client := s3.NewFromConfig(r.e.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket, key := aws.String(str(p["Bucket"])), aws.String(str(p["Key"]))
	var (
		out map[string]any
		err error
	)
	switch t.Action {
	case "getObject":
		var o *s3.GetObjectOutput
		if o, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key}); err == nil {
			defer o.Body.Close()
			var body []byte
			if body, err = io.ReadAll(o.Body); err == nil {
				out = map[string]any{"AcceptRanges": aws.ToString(o.AcceptRanges), "Body": string(body),
					"ContentLength": aws.ToInt64(o.ContentLength), "ContentType": aws.ToString(o.ContentType),
					"ETag": aws.ToString(o.ETag), "LastModified": iso(o.LastModified), "Metadata": stringMap(o.Metadata)}
			}
		}
	case "headObject":
		var o *s3.HeadObjectOutput
		if o, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key}); err == nil {
			out = map[string]any{"AcceptRanges": aws.ToString(o.AcceptRanges), "ContentLength": aws.ToInt64(o.ContentLength),
				"ContentType": aws.ToString(o.ContentType), "ETag": aws.ToString(o.ETag), "LastModified": iso(o.LastModified),
				"Metadata": stringMap(o.Metadata)}
		}
	case "putObject":
		body, isStr := p["Body"].(string)
		if !isStr && p["Body"] != nil {
			body = jsonText(p["Body"]) // AWS writes a JSON Body as its text
		}
		in := &s3.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader(body)}
		if ct := str(p["ContentType"]); ct != "" {
			in.ContentType = aws.String(ct)
		}
		var o *s3.PutObjectOutput
		if o, err = client.PutObject(ctx, in); err == nil {
			out = map[string]any{"ETag": aws.ToString(o.ETag)}
		}
	case "deleteObject":
		if _, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key}); err == nil {
			out = map[string]any{}
		}
	case "listObjectsV2":
		in := &s3.ListObjectsV2Input{Bucket: bucket}
		if v := str(p["Prefix"]); v != "" {
			in.Prefix = aws.String(v)
		}
		if v := str(p["ContinuationToken"]); v != "" {
			in.ContinuationToken = aws.String(v)
		}
		if v := str(p["StartAfter"]); v != "" {
			in.StartAfter = aws.String(v)
		}
		var o *s3.ListObjectsV2Output
		if o, err = client.ListObjectsV2(ctx, in); err == nil {
			contents := make([]any, 0, len(o.Contents))
			for _, c := range o.Contents {
				contents = append(contents, map[string]any{"Key": aws.ToString(c.Key), "ETag": aws.ToString(c.ETag),
					"LastModified": iso(c.LastModified), "Size": aws.ToInt64(c.Size), "StorageClass": string(c.StorageClass)})
			}
			out = map[string]any{"Contents": contents, "IsTruncated": aws.ToBool(o.IsTruncated), "KeyCount": aws.ToInt32(o.KeyCount),
				"MaxKeys": aws.ToInt32(o.MaxKeys), "Name": aws.ToString(o.Name), "Prefix": aws.ToString(o.Prefix)}
			if o.NextContinuationToken != nil {
				out["NextContinuationToken"] = aws.ToString(o.NextContinuationToken)
			}
		}
	default:
		return nil, (&states.Failure{Error: "States.Runtime", Cause: "The test bed's Step Functions engine does not support s3:" + t.Action +
			"; it runs getObject, putObject, listObjectsV2, headObject and deleteObject"}).AsError()
	}
	if err != nil {
		return nil, s3Failure(err)
	}
	return out, nil
}

// s3Failure is an S3 error as Step Functions reports it.
func s3Failure(err error) error {
	code, msg, status := "AmazonS3Exception", err.Error(), 400
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, msg = ae.ErrorCode(), ae.ErrorMessage()
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch code {
	case "NoSuchKey":
		msg = "The specified key does not exist."
	case "NoSuchBucket":
		msg = "The specified bucket does not exist"
	}
	return (&states.Failure{Error: "S3." + exceptionName(code), Cause: fmt.Sprintf(
		"%s (Service: S3, Status Code: %d, Request ID: %s, Extended Request ID: %s)", msg, status, invoke.NewRequestID(), invoke.NewRequestID())}).AsError()
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// iso formats an S3 timestamp as Step Functions' aws-sdk results do.
func iso(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
