package longrunning

import (
	"context"
	"fmt"
	"time"
)

// ReportInput is the body of the WriteReport task's message, less the task
// token, which the callback package takes.
type ReportInput struct {
	JobID    string   `json:"jobId"`
	Progress Progress `json:"progress"`
	// ReportSeconds is how long writing the report takes: the stand-in for
	// slow work, longer than the task's HeartbeatSeconds allows without
	// heartbeats.
	ReportSeconds float64 `json:"reportSeconds"`
}

// Report is the slow worker's answer, sent with the task token; the state
// machine keeps it at $.report.
type Report struct {
	JobID     string `json:"jobId"`
	Processed int    `json:"processed"`
	Checksum  string `json:"checksum"`
	Verdict   string `json:"verdict"`
	Took      string `json:"took"`
}

// MaxReportSeconds bounds ReportSeconds below the function's timeout.
const MaxReportSeconds = 240

// writeReport is the slow work: it checks the job's result in chunks,
// checking ctx between them so that a cancelled invocation stops promptly.
func writeReport(ctx context.Context, in ReportInput) (Report, error) {
	if in.ReportSeconds < 0 || in.ReportSeconds > MaxReportSeconds {
		return Report{}, &InvalidJobError{JobID: in.JobID, Reason: fmt.Sprintf("reportSeconds %v is outside [0, %d]", in.ReportSeconds, MaxReportSeconds)}
	}
	start := time.Now()
	work := time.Duration(in.ReportSeconds * float64(time.Second))
	for done := time.Duration(0); done < work; done += 100 * time.Millisecond {
		select {
		case <-ctx.Done():
			return Report{}, ctx.Err()
		case <-time.After(min(100*time.Millisecond, work-done)):
		}
	}
	verdict := "complete"
	if in.Progress.Processed < in.Progress.Total {
		verdict = "incomplete"
	}
	return Report{
		JobID:     in.JobID,
		Processed: in.Progress.Processed,
		Checksum:  in.Progress.Checksum,
		Verdict:   verdict,
		Took:      time.Since(start).Round(time.Millisecond).String(),
	}, nil
}
