package batch

import (
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// decodeSQSEvent decodes an SQS event exactly as encoding/json.Unmarshal
// would. Decoding is most of the cost of a batch invocation (encoding/json
// spends about 10 µs on a 1 KB record, scanning every byte twice through a
// state machine), so a single-pass decoder specialised to the shape Lambda
// sends handles the payload: exact key names, no duplicates, strings only.
// Anything outside that shape (other key spellings, null, numbers, invalid
// UTF-8, syntax errors) makes it give up, and encoding/json decodes the
// payload from scratch, so every input gives encoding/json's value or error.
// An empty payload is the zero event, as in [handler.New].
func decodeSQSEvent(payload []byte, ev *events.SQSEvent) error {
	if len(payload) == 0 {
		return nil
	}
	d := decoder{data: payload}
	if d.sqsEvent(ev) {
		return nil
	}
	*ev = events.SQSEvent{}
	return json.Unmarshal(payload, ev)
}

// decoder is the fast path of decodeSQSEvent. Every method returns false to
// give up; it never reports a syntax error itself.
type decoder struct {
	data []byte
	pos  int
	buf  []byte // scratch for unescaping, reused across strings
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// next skips whitespace and consumes c.
func (d *decoder) next(c byte) bool {
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// peek skips whitespace and reports whether the next byte is c, without
// consuming it.
func (d *decoder) peek(c byte) bool {
	d.ws()
	return d.pos < len(d.data) && d.data[d.pos] == c
}

// key reads an object key that needs no unescaping, and the colon after it.
func (d *decoder) key() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			k := d.data[start:d.pos]
			d.pos++
			return k, d.next(':')
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			return nil, false
		}
		d.pos++
	}
	return nil, false
}

// str reads a JSON string value. Invalid UTF-8, which encoding/json would
// replace with U+FFFD, and lone surrogate escapes make it give up.
func (d *decoder) str() (string, bool) {
	b, ok := d.strBytes()
	if !ok {
		return "", false
	}
	return string(b), true
}

// strBytes reads a JSON string and returns its contents, valid until the next
// call.
func (d *decoder) strBytes() ([]byte, bool) {
	if !d.next('"') {
		return nil, false
	}
	start := d.pos
	ascii := true
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			s := d.data[start:d.pos]
			d.pos++
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			return s, true
		case c == '\\':
			return d.unescape(start, ascii)
		case c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
		d.pos++
	}
	return nil, false
}

// unescape continues a string from its first backslash at d.pos.
func (d *decoder) unescape(start int, ascii bool) ([]byte, bool) {
	if !ascii && !utf8.Valid(d.data[start:d.pos]) {
		return nil, false
	}
	out := append(d.buf[:0], d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		// Copy the run of plain ASCII up to the next byte that needs a look.
		j := d.pos
		for j < len(d.data) {
			if c := d.data[j]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				break
			}
			j++
		}
		out = append(out, d.data[d.pos:j]...)
		d.pos = j
		if j == len(d.data) {
			break
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			d.buf = out
			return out, true
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return nil, false
			}
			e := d.data[d.pos+1]
			d.pos += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return nil, false
				}
				if r >= 0xD800 && r < 0xE000 {
					// Only a high surrogate followed by a low one is taken;
					// encoding/json's replacement rules for the rest are left
					// to encoding/json.
					if r >= 0xDC00 || d.pos+1 >= len(d.data) || d.data[d.pos] != '\\' || d.data[d.pos+1] != 'u' {
						return nil, false
					}
					d.pos += 2
					lo, ok := d.hex4()
					if !ok || lo < 0xDC00 || lo >= 0xE000 {
						return nil, false
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, false
			}
		case c < 0x20:
			return nil, false
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, false
			}
			out = append(out, d.data[d.pos:d.pos+size]...)
			d.pos += size
		}
	}
	return nil, false
}

func (d *decoder) hex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	d.pos += 4
	return r, true
}

// base64 reads a string holding base64 and decodes it the way encoding/json
// decodes a []byte.
func (d *decoder) base64() ([]byte, bool) {
	s, ok := d.strBytes()
	if !ok {
		return nil, false
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, s)
	if err != nil {
		return nil, false
	}
	return b[:n], true
}

// object calls field for each key of an object; field reads the value.
func (d *decoder) object(field func(key []byte) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		k, ok := d.key()
		if !ok || !field(k) {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next('}')
	}
}

// array calls elem for each element of an array; elem reads the value.
func (d *decoder) array(elem func() bool) bool {
	if !d.next('[') {
		return false
	}
	if d.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next(']')
	}
}

func (d *decoder) sqsEvent(ev *events.SQSEvent) bool {
	seen := false
	ok := d.object(func(k []byte) bool {
		if string(k) != "Records" || seen {
			return false
		}
		seen = true
		if !d.peek('[') {
			return false
		}
		ev.Records = make([]events.SQSMessage, 0, 8)
		return d.array(func() bool {
			ev.Records = append(ev.Records, events.SQSMessage{})
			return d.sqsMessage(&ev.Records[len(ev.Records)-1])
		})
	})
	if !ok {
		return false
	}
	d.ws()
	return d.pos == len(d.data)
}

// Field bits of sqsMessage, to give up on a duplicate key (encoding/json
// would merge or overwrite; not worth repeating here).
const (
	fMessageID = 1 << iota
	fReceiptHandle
	fBody
	fMd5OfBody
	fMd5OfMessageAttributes
	fAttributes
	fMessageAttributes
	fEventSourceARN
	fEventSource
	fAWSRegion
)

func (d *decoder) sqsMessage(m *events.SQSMessage) bool {
	seen := 0
	return d.object(func(k []byte) bool {
		var bit int
		var dst *string
		switch string(k) {
		case "messageId":
			bit, dst = fMessageID, &m.MessageId
		case "receiptHandle":
			bit, dst = fReceiptHandle, &m.ReceiptHandle
		case "body":
			bit, dst = fBody, &m.Body
		case "md5OfBody":
			bit, dst = fMd5OfBody, &m.Md5OfBody
		case "md5OfMessageAttributes":
			bit, dst = fMd5OfMessageAttributes, &m.Md5OfMessageAttributes
		case "eventSourceARN":
			bit, dst = fEventSourceARN, &m.EventSourceARN
		case "eventSource":
			bit, dst = fEventSource, &m.EventSource
		case "awsRegion":
			bit, dst = fAWSRegion, &m.AWSRegion
		case "attributes":
			bit = fAttributes
		case "messageAttributes":
			bit = fMessageAttributes
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		switch {
		case dst != nil:
			s, ok := d.str()
			*dst = s
			return ok
		case bit == fAttributes:
			if !d.peek('{') {
				return false
			}
			m.Attributes = make(map[string]string, 8)
			return d.object(func(k []byte) bool {
				key := string(k)
				v, ok := d.str()
				m.Attributes[key] = v
				return ok
			})
		default:
			if !d.peek('{') {
				return false
			}
			m.MessageAttributes = make(map[string]events.SQSMessageAttribute)
			return d.messageAttributes(m.MessageAttributes)
		}
	})
}

// messageAttributes reads the messageAttributes object. Its keys may hold
// escapes, so they are read as strings rather than with key.
func (d *decoder) messageAttributes(dst map[string]events.SQSMessageAttribute) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		name, ok := d.str()
		if !ok || !d.next(':') {
			return false
		}
		var a events.SQSMessageAttribute
		if !d.messageAttribute(&a) {
			return false
		}
		dst[name] = a
		if d.next(',') {
			continue
		}
		return d.next('}')
	}
}

func (d *decoder) messageAttribute(a *events.SQSMessageAttribute) bool {
	seen := 0
	return d.object(func(k []byte) bool {
		var bit int
		switch string(k) {
		case "stringValue":
			bit = 1
		case "binaryValue":
			bit = 2
		case "stringListValues":
			bit = 4
		case "binaryListValues":
			bit = 8
		case "dataType":
			bit = 16
		default:
			return false
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		switch bit {
		case 1:
			s, ok := d.str()
			a.StringValue = &s
			return ok
		case 2:
			b, ok := d.base64()
			a.BinaryValue = b
			return ok
		case 4:
			if !d.peek('[') {
				return false
			}
			a.StringListValues = []string{}
			return d.array(func() bool {
				s, ok := d.str()
				a.StringListValues = append(a.StringListValues, s)
				return ok
			})
		case 8:
			if !d.peek('[') {
				return false
			}
			a.BinaryListValues = [][]byte{}
			return d.array(func() bool {
				b, ok := d.base64()
				a.BinaryListValues = append(a.BinaryListValues, b)
				return ok
			})
		default:
			s, ok := d.str()
			a.DataType = s
			return ok
		}
	})
}
