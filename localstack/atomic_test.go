package localstack_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/lambdakit/lambdakit/localstack"
	"github.com/lambdakit/lambdakit/localstack/fixture"
)

// These tests race the SDK against the emulator directly, with no lambdakit
// code between: what they prove is that the emulator itself loses nothing and
// doubles nothing under concurrency (the launcher's sqs-atomic and
// dynamodb-atomic patches on moto 5.2.1, which without them lost 363 of
// 10,000 messages to 5 consumers and let two writers win one conditional put).

// TestMotoPatchSet pins the launcher's patch registry outcome for the pinned
// moto (localstack/launcher/requirements.txt): a moto bump, or a patch that
// stops applying, changes this list and so becomes a reviewed change.
func TestMotoPatchSet(t *testing.T) {
	em := localstack.Shared(t)
	if !em.Embedded() {
		t.Log("attached endpoint: no launcher, no patches")
		if diff := cmp.Diff(localstack.Moto{}, em.Moto()); diff != "" {
			t.Errorf("Moto() of an attached endpoint (-want +got):\n%s", diff)
		}
		return
	}
	m := em.Moto()
	if m.Version != "5.2.1" {
		t.Fatalf("moto %s, want the pinned 5.2.1; bump launcher/requirements.txt and this test together", m.Version)
	}
	want := []string{
		"no-docker applied",
		"sqs-fifo-redelivery applied",
		"sqs-receive-cost applied",
		"sqs-fast-clock applied",
		"sqs-atomic applied",
		"sqs-dlq-source-arn applied",
		"sqs-fifo-sequence-number applied",
		"sqs-message-body applied",
		"sqs-fifo-queue-name applied",
		"sqs-purge-in-progress applied",
		"dynamodb-atomic applied",
		"lambda-invoke-forwarder applied",
	}
	var got []string
	for _, p := range m.Patches {
		got = append(got, p.Name+" "+p.Status)
		if p.Status != "applied" {
			t.Logf("%s: %s", p.Name, p.Reason)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("patches of moto %s (-want +got):\n%s", m.Version, diff)
	}
}

// ledger records, per message body, what the consumers of one queue saw.
type ledger struct {
	mu       sync.Mutex
	received map[string]int
	deleted  map[string]int
	held     map[string]bool // received and not yet settled
	problems []string
}

func newLedger() *ledger {
	return &ledger{received: map[string]int{}, deleted: map[string]int{}, held: map[string]bool{}}
}

func (l *ledger) problem(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.problems) < 20 {
		l.problems = append(l.problems, fmt.Sprintf(format, args...))
	}
}

// receive records msgs as received and held; a message already held by
// another consumer, or already deleted, is a problem.
func (l *ledger) receive(msgs []types.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range msgs {
		b := aws.ToString(m.Body)
		l.received[b]++
		if l.held[b] {
			l.problems = append(l.problems, b+" received while another consumer held it")
		}
		if l.deleted[b] > 0 {
			l.problems = append(l.problems, b+" received after it was deleted")
		}
		l.held[b] = true
	}
}

func (l *ledger) release(msgs []types.Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range msgs {
		delete(l.held, aws.ToString(m.Body))
	}
}

func (l *ledger) markDeleted(bodies []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range bodies {
		l.deleted[b]++
	}
}

// raceConsumers sends n messages to q from one producer while consumers
// receive them (up to 10, long polling 1 s) and delete them in batches. With
// failRate > 0 a consumer fails that share of its receives by making the
// messages visible again at once, as a failed Lambda batch does with a zero
// visibility timeout. Consumers stop once the producer is done and the queue
// answers empty twice in a row.
func raceConsumers(ctx context.Context, t *testing.T, client *sqs.Client, q *fixture.Queue, n, consumers int, failRate float64) *ledger {
	t.Helper()
	l := newLedger()
	producing := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(producing)
		for start := 0; start < n; start += 10 {
			var entries []types.SendMessageBatchRequestEntry
			for i := start; i < min(start+10, n); i++ {
				entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(fmt.Sprintf("m-%05d", i))})
			}
			out, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
			if err != nil {
				l.problem("SendMessageBatch: %v", err)
				return
			}
			for _, f := range out.Failed {
				l.problem("send of entry %s failed: %s", aws.ToString(f.Id), aws.ToString(f.Message))
			}
		}
	})
	for c := range consumers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 42))
			empty := 0
			for ctx.Err() == nil {
				out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
					QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
				})
				if err != nil {
					l.problem("ReceiveMessage: %v", err)
					return
				}
				if len(out.Messages) == 0 {
					select {
					case <-producing:
						if empty++; empty >= 2 {
							return
						}
					default:
					}
					continue
				}
				empty = 0
				l.receive(out.Messages)
				if rng.Float64() < failRate {
					var entries []types.ChangeMessageVisibilityBatchRequestEntry
					for i, m := range out.Messages {
						entries = append(entries, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
					}
					l.release(out.Messages)
					if _, err := client.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(q.URL), Entries: entries}); err != nil {
						l.problem("ChangeMessageVisibilityBatch: %v", err)
					}
					continue
				}
				var entries []types.DeleteMessageBatchRequestEntry
				for i, m := range out.Messages {
					entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
				}
				del, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
				if err != nil {
					l.problem("DeleteMessageBatch: %v", err)
					continue
				}
				var bodies []string
				for _, s := range del.Successful {
					i, _ := strconv.Atoi(aws.ToString(s.Id))
					bodies = append(bodies, aws.ToString(out.Messages[i].Body))
				}
				for _, f := range del.Failed {
					l.problem("delete of entry %s failed: %s %s", aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message))
				}
				l.markDeleted(bodies)
				l.release(out.Messages)
			}
		})
	}
	wg.Wait()
	return l
}

// drain receives everything left in q and returns it by body.
func drain(ctx context.Context, t *testing.T, client *sqs.Client, url string) map[string][]types.Message {
	t.Helper()
	left := map[string][]types.Message{}
	for {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(out.Messages) == 0 {
			return left
		}
		for _, m := range out.Messages {
			left[aws.ToString(m.Body)] = append(left[aws.ToString(m.Body)], m)
		}
	}
}

func TestSQSConcurrentConsumersLoseNothing(t *testing.T) {
	t.Parallel()
	const messages, consumers = 2000, 5
	cfg := localstack.Shared(t).AWSConfig()
	client := sqs.NewFromConfig(cfg)

	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		q, err := fixture.CreateQueue(ctx, cfg, fixture.Name(t, "race"), fixture.WithVisibilityTimeout(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		l := raceConsumers(ctx, t, client, q, messages, consumers, 0)
		for _, p := range l.problems {
			t.Error(p)
		}
		left := drain(ctx, t, client, q.URL)
		var lost, doubled, redelivered int
		for i := range messages {
			b := fmt.Sprintf("m-%05d", i)
			switch {
			case l.deleted[b] == 0 && len(left[b]) == 0:
				lost++
			case l.deleted[b] > 1:
				doubled++
			}
			if l.received[b] > 1 {
				redelivered++
			}
		}
		t.Logf("%d messages, %d consumers: deleted %d, lost %d, deleted twice %d, received twice %d, left %d",
			messages, consumers, len(l.deleted), lost, doubled, redelivered, len(left))
		if lost > 0 || doubled > 0 || redelivered > 0 || len(left) > 0 {
			t.Errorf("lost %d, deleted twice %d, received twice %d, left in the queue %d; want all 0", lost, doubled, redelivered, len(left))
		}
	})

	t.Run("redrive", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
		defer cancel()
		q, err := fixture.CreateQueue(ctx, cfg, fixture.Name(t, "race"), fixture.WithVisibilityTimeout(30*time.Second), fixture.WithDLQ(2))
		if err != nil {
			t.Fatal(err)
		}
		l := raceConsumers(ctx, t, client, q, messages, consumers, 0.1)
		for _, p := range l.problems {
			t.Error(p)
		}
		if left := drain(ctx, t, client, q.URL); len(left) > 0 {
			t.Errorf("%d messages left in the source queue", len(left))
		}
		inDLQ := drain(ctx, t, client, q.DLQ.URL)
		var lost, doubled, both int
		for i := range messages {
			b := fmt.Sprintf("m-%05d", i)
			dlq := len(inDLQ[b])
			switch {
			case l.deleted[b] == 0 && dlq == 0:
				lost++
			case l.deleted[b] > 1 || dlq > 1:
				doubled++
			case l.deleted[b] > 0 && dlq > 0:
				both++
			}
			for _, m := range inDLQ[b] {
				if got := m.Attributes[string(types.MessageSystemAttributeNameDeadLetterQueueSourceArn)]; got != q.ARN {
					t.Errorf("%s in the DLQ: DeadLetterQueueSourceArn %q, want %q", b, got, q.ARN)
				}
			}
		}
		t.Logf("%d messages, %d consumers, 10%% failed receives: deleted %d, in DLQ %d, lost %d, doubled %d, deleted and in DLQ %d",
			messages, consumers, len(l.deleted), len(inDLQ), lost, doubled, both)
		if lost > 0 || doubled > 0 || both > 0 {
			t.Errorf("lost %d, doubled %d, deleted and in the DLQ %d; want all 0", lost, doubled, both)
		}
		if len(inDLQ) == 0 {
			t.Error("no message reached the DLQ; the redrive path went untested")
		}
	})
}

// TestSQSLongPollDoesNotHoldDeletes covers a regression of making moto's SQS
// atomic: a long poll on a FIFO queue whose visible messages all belong to
// groups in flight must wait without holding the queue, so that deleting the
// in-flight messages meanwhile takes effect and they are never delivered
// again. (moto 5.2.1's long poll spins in that case; under a lock it held the
// delete back until the messages came back.)
func TestSQSLongPollDoesNotHoldDeletes(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	q, client := sqsQueue(t, "poll.fifo", fixture.WithVisibilityTimeout(time.Second))
	var bodies []string
	for i := range 8 {
		bodies = append(bodies, fmt.Sprintf("A%d", i), fmt.Sprintf("B%d", i))
	}
	for start := 0; start < len(bodies); start += 10 {
		var entries []types.SendMessageBatchRequestEntry
		for i, b := range bodies[start:min(start+10, len(bodies))] {
			entries = append(entries, types.SendMessageBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(b),
				MessageGroupId: aws.String(b[:1]), MessageDeduplicationId: aws.String(b),
			})
		}
		if _, err := client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Messages) != 10 {
		t.Fatalf("first receive got %d messages, want 10", len(first.Messages))
	}

	// A second consumer long-polls: every visible message (A5.., B5..) is of a
	// group in flight, so it has nothing to give until the first consumer
	// settles.
	var (
		mu    sync.Mutex
		later []string
	)
	pollCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for pollCtx.Err() == nil {
			out, err := client.ReceiveMessage(pollCtx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			if err != nil {
				return
			}
			mu.Lock()
			for _, m := range out.Messages {
				later = append(later, aws.ToString(m.Body))
			}
			mu.Unlock()
		}
	})
	time.Sleep(200 * time.Millisecond) // let the poll start waiting

	// The first consumer processed A0..A3 and B0..B2 (B3 failed, so in strict
	// FIFO order A4 and B4 after it fail too) and deletes them.
	var entries []types.DeleteMessageBatchRequestEntry
	deleted := map[string]bool{}
	for _, m := range first.Messages {
		if b := aws.ToString(m.Body); b < "A4" && b[0] == 'A' || b < "B3" && b[0] == 'B' {
			deleted[b] = true
			entries = append(entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(b), ReceiptHandle: m.ReceiptHandle})
		}
	}
	out, err := client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
	if err != nil || len(out.Failed) > 0 {
		t.Fatalf("DeleteMessageBatch: %v %+v", err, out)
	}

	// Wait until the undeleted rest (visible again after 1 s) has been received.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		seen := map[string]bool{}
		for _, b := range later {
			seen[b] = true
		}
		mu.Unlock()
		if len(seen) >= len(bodies)-len(deleted) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	for _, b := range later {
		if deleted[b] {
			t.Errorf("%s was delivered again after its delete succeeded", b)
		}
	}
	t.Logf("received after the delete: %v", later)
}

// TestSQSLongPollLetsSendsThrough: a send to a queue that a receive is long
// polling reaches that receive, rather than waiting behind it.
func TestSQSLongPollLetsSendsThrough(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	q, client := sqsQueue(t, "poll")
	got := make(chan []types.Message, 1)
	go func() {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL), WaitTimeSeconds: 10})
		if err != nil {
			t.Errorf("ReceiveMessage: %v", err)
			got <- nil
			return
		}
		got <- out.Messages
	}()
	time.Sleep(300 * time.Millisecond) // let the poll start waiting
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(q.URL), MessageBody: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	if msgs := <-got; len(msgs) != 1 || aws.ToString(msgs[0].Body) != "hello" {
		t.Errorf("the long poll got %d messages, want the one sent while it waited", len(msgs))
	}
}

// TestDynamoDBConditionalWritesRace: writers racing one conditional write
// have exactly one winner, and the others get ConditionalCheckFailedException.
func TestDynamoDBConditionalWritesRace(t *testing.T) {
	t.Parallel()
	const writers = 8
	ctx := testContext(t)
	cfg := localstack.Shared(t).AWSConfig()
	table := fixture.Name(t, "race")
	if err := fixture.CreateTable(ctx, cfg, fixture.TableSpec{Name: table, PartitionKey: "pk"}); err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)

	t.Run("put if absent", func(t *testing.T) {
		const rounds = 100
		for r := range rounds {
			key := fmt.Sprintf("lease-%d", r)
			var wins, lost, other sync.Map
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					_, err := db.PutItem(ctx, &dynamodb.PutItemInput{
						TableName: aws.String(table),
						Item: map[string]ddbtypes.AttributeValue{
							"pk":    &ddbtypes.AttributeValueMemberS{Value: key},
							"owner": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(w)},
						},
						ConditionExpression: aws.String("attribute_not_exists(pk)"),
					})
					var ccf *ddbtypes.ConditionalCheckFailedException
					switch {
					case err == nil:
						wins.Store(w, true)
					case errors.As(err, &ccf):
						lost.Store(w, true)
					default:
						other.Store(w, err)
					}
				})
			}
			wg.Wait()
			n := 0
			wins.Range(func(any, any) bool { n++; return true })
			other.Range(func(w, err any) bool { t.Errorf("round %d writer %v: %v", r, w, err); return true })
			if n != 1 {
				t.Fatalf("round %d: %d writers won the conditional put, want exactly 1", r, n)
			}
		}
	})

	t.Run("optimistic increments", func(t *testing.T) {
		// Each writer reads the counter and writes counter+1 on condition
		// that it is unchanged, retrying on a conflict: no increment is lost.
		const each = 15
		key := map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "counter"}}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{
			"pk": key["pk"], "n": &ddbtypes.AttributeValueMemberN{Value: "0"},
		}}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range writers {
			wg.Go(func() {
				for done := 0; done < each && ctx.Err() == nil; {
					got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
					if err != nil {
						t.Errorf("GetItem: %v", err)
						return
					}
					n := got.Item["n"].(*ddbtypes.AttributeValueMemberN).Value
					next, _ := strconv.Atoi(n)
					_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
						TableName: aws.String(table), Key: key,
						UpdateExpression:    aws.String("SET n = :next"),
						ConditionExpression: aws.String("n = :seen"),
						ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
							":next": &ddbtypes.AttributeValueMemberN{Value: strconv.Itoa(next + 1)},
							":seen": &ddbtypes.AttributeValueMemberN{Value: n},
						},
					})
					var ccf *ddbtypes.ConditionalCheckFailedException
					switch {
					case err == nil:
						done++
					case errors.As(err, &ccf):
					default:
						t.Errorf("UpdateItem: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		if n := got.Item["n"].(*ddbtypes.AttributeValueMemberN).Value; n != strconv.Itoa(writers*each) {
			t.Errorf("counter = %s after %d successful conditional increments", n, writers*each)
		}
	})
}
