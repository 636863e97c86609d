package intrinsic

import (
	"strings"
	"testing"
)

func TestBase64Encode(t *testing.T) {
	inv := "Invalid arguments in States.Base64Encode"
	a10000, a10001 := strings.Repeat("a", 10000), strings.Repeat("a", 10001)
	runEvalCases(t, []evalCase{
		{name: "doc and recorded", expr: "States.Base64Encode($.s)", input: `{"s":"Data to encode"}`, want: `"RGF0YSB0byBlbmNvZGU="`},
		{name: "recorded empty", expr: "States.Base64Encode($.s)", input: `{"s":""}`, want: `""`},
		{name: "UTF-8 bytes", expr: "States.Base64Encode($.s)", input: `{"s":"héllo→"}`, want: `"aMOpbGxv4oaS"`},
		{name: "observed checkmark", expr: "States.Base64Encode($.s)", input: `{"s":"✓"}`, want: `"4pyT"`},
		{name: "observed japanese", expr: "States.Base64Encode($.s)", input: `{"s":"こんにちは"}`, want: `"44GT44KT44Gr44Gh44Gv"`},
		{name: "observed astral", expr: "States.Base64Encode('🚀')", want: `"8J+agA=="`},
		{name: "observed NUL", expr: "States.Base64Encode($.s)", input: `{"s":"abc\u0000def"}`, want: `"YWJjAGRlZg=="`},
		{name: "nested", expr: "States.Base64Encode(States.Format('{}-{}', 'x', 'y'))", want: `"eC15"`},
		{name: "observed 10000 characters", expr: "States.ArrayLength(States.StringSplit(States.Base64Encode($.s), '='))", input: `{"s":"` + a10000 + `"}`, want: `1`},
		{name: "observed 10001 characters", expr: "States.Base64Encode($.s)", input: `{"s":"` + a10001 + `"}`, cause: inv},
		{name: "UTF-16 units counted", expr: "States.Base64Encode($.s)", input: `{"s":"` + strings.Repeat("🚀", 5001) + `"}`, cause: inv},
		{name: "observed number", expr: "States.Base64Encode(123)", cause: inv},
		{name: "observed object", expr: "States.Base64Encode($.o)", input: `{"o":{}}`, cause: inv},
		{name: "observed no argument", expr: "States.Base64Encode()", cause: inv},
		{name: "observed extra argument", expr: "States.Base64Encode('a', 'b')", cause: inv},
	})
}

func TestBase64Decode(t *testing.T) {
	inv := "Invalid arguments in States.Base64Decode"
	runEvalCases(t, []evalCase{
		{name: "doc and recorded", expr: "States.Base64Decode($.s)", input: `{"s":"RGF0YSB0byBlbmNvZGU="}`, want: `"Data to encode"`},
		{name: "recorded empty", expr: "States.Base64Decode($.s)", input: `{"s":""}`, want: `""`},
		{name: "observed unpadded", expr: "States.Base64Decode('aGVsbG8')", want: `"hello"`},
		{name: "observed surrounding spaces", expr: "States.Base64Decode(' YWJjZA== ')", want: `"abcd"`},
		{name: "observed stops at padding", expr: "States.Base64Decode('ab==cd')", want: `"i"`},
		{name: "stray characters skipped", expr: "States.Base64Decode('YW!Jj*ZA')", want: `"abcd"`},
		{name: "URL-safe alphabet", expr: "States.Base64Decode('Pz8_')", want: `"???"`},
		{name: "observed japanese", expr: "States.Base64Decode('44GT44KT44Gr44Gh44Gv')", want: `"こんにちは"`},
		{name: "observed NUL", expr: "States.Base64Decode($.s)", input: `{"s":"YWJjAGRlZg=="}`, want: `"abc\u0000def"`},
		{name: "invalid UTF-8 replaced", expr: "States.Base64Decode('/w==')", want: `"\ufffd"`},
		{name: "round trip", expr: "States.Base64Decode(States.Base64Encode($.s))", input: `{"s":"hello"}`, want: `"hello"`},
		{name: "observed 10001 characters", expr: "States.Base64Decode($.s)", input: `{"s":"` + strings.Repeat("A", 10001) + `"}`, cause: inv},
		{name: "observed number", expr: "States.Base64Decode(123)", cause: inv},
		{name: "observed extra argument", expr: "States.Base64Decode('aGVsbG8=', 'extra')", cause: inv},
	})
}

func TestHash(t *testing.T) {
	inv := "Invalid arguments in States.Hash"
	runEvalCases(t, []evalCase{
		{name: "recorded MD5", expr: "States.Hash($.d, $.a)", input: `{"d":"input data","a":"MD5"}`, want: `"812f45842bc6d66ee14572ce20db8e86"`},
		{name: "recorded SHA-1", expr: "States.Hash($.d, $.a)", input: `{"d":"input data","a":"SHA-1"}`, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{name: "recorded SHA-256", expr: "States.Hash($.d, $.a)", input: `{"d":"input data","a":"SHA-256"}`, want: `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{name: "recorded SHA-384", expr: "States.Hash($.d, $.a)", input: `{"d":"input data","a":"SHA-384"}`, want: `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{name: "recorded SHA-512", expr: "States.Hash($.d, $.a)", input: `{"d":"input data","a":"SHA-512"}`, want: `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		{name: "empty", expr: "States.Hash('', 'SHA-256')", want: `"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`},
		{name: "observed checkmark", expr: "States.Hash($.s, 'SHA-256')", input: `{"s":"✓"}`, want: `"1dabba21cdad44541f6b15796f8d22978fc7ea10c46aeceeeeb66c23b3ac7604"`},
		{name: "observed number is stringified", expr: "States.Hash(123, 'SHA-256')", want: `"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"`},
		{name: "observed object is stringified", expr: "States.Hash($.o, 'SHA-256')", input: `{"o":{}}`, want: `"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"`},
		{name: "observed 10001 characters", expr: "States.Hash($.s, 'SHA-256')", input: `{"s":"` + strings.Repeat("a", 10001) + `"}`, cause: inv},
		{name: "observed lowercase name", expr: "States.Hash('data', 'sha-256')", cause: inv},
		{name: "observed no hyphen", expr: "States.Hash('data', 'SHA256')", cause: inv},
		{name: "observed MD-5", expr: "States.Hash('data', 'MD-5')", cause: inv},
		{name: "observed blank", expr: "States.Hash('data', '')", cause: inv},
		{name: "observed numeric algorithm", expr: "States.Hash('hello', 123)", cause: inv},
		{name: "observed one argument", expr: "States.Hash('hello')", cause: inv},
	})
}
