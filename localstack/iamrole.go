package localstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// lambdaTrustPolicy lets Lambda assume the placeholder function role.
const lambdaTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
	`"Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// ensureFunctionRole creates the IAM role that registered functions name,
// because moto, like Lambda, refuses a function whose role does not exist.
// It speaks the IAM Query API directly, signed with the SDK's SigV4 signer,
// so that this test helper does not pull the IAM client module into every
// user's go.mod for one call.
func (e *Emulator) ensureFunctionRole(ctx context.Context) error {
	name := functionRole[strings.LastIndex(functionRole, "/")+1:]
	form := url.Values{
		"Action":                   {"CreateRole"},
		"Version":                  {"2010-05-08"},
		"RoleName":                 {name},
		"AssumeRolePolicyDocument": {lambdaTrustPolicy},
	}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint+"/", strings.NewReader(form))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds, err := e.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(form))
	// IAM is a global service signed for us-east-1 whatever the region.
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("localstack: create function role: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var doc struct {
		Code string `xml:"Error>Code"`
	}
	if xml.Unmarshal(body, &doc) == nil && doc.Code == "EntityAlreadyExists" {
		return nil
	}
	return fmt.Errorf("localstack: create function role: HTTP %d: %s", resp.StatusCode, body)
}
