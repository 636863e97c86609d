package intrinsic

// funcID identifies one of the 18 intrinsic functions.
type funcID uint8

const (
	fnFormat funcID = iota
	fnStringToJSON
	fnJSONToString
	fnArray
	fnArrayPartition
	fnArrayContains
	fnArrayRange
	fnArrayGetItem
	fnArrayLength
	fnArrayUnique
	fnBase64Encode
	fnBase64Decode
	fnHash
	fnJSONMerge
	fnMathRandom
	fnMathAdd
	fnStringSplit
	fnUUID
)

// kind is a JSON value kind, used for static checks in Validate.
type kind uint8

const (
	kAny kind = iota
	kString
	kNumber
	kBool
	kNull
	kArray
	kObject
)

// impl runs a function on evaluated arguments. c is the call, for error causes
// and for the raw text of literal arguments.
type impl func(c *Call, env *Env, args []any) (any, error)

// spec describes a function: its argument count (max < 0 means any number),
// the kinds of its parameters (the last one repeats for variadic functions),
// what it returns and how to run it.
type spec struct {
	min, max int
	params   []kind
	ret      kind
	run      impl
}

func lookupName(name string) (funcID, bool) {
	switch name {
	case "Format":
		return fnFormat, true
	case "StringToJson":
		return fnStringToJSON, true
	case "JsonToString":
		return fnJSONToString, true
	case "Array":
		return fnArray, true
	case "ArrayPartition":
		return fnArrayPartition, true
	case "ArrayContains":
		return fnArrayContains, true
	case "ArrayRange":
		return fnArrayRange, true
	case "ArrayGetItem":
		return fnArrayGetItem, true
	case "ArrayLength":
		return fnArrayLength, true
	case "ArrayUnique":
		return fnArrayUnique, true
	case "Base64Encode":
		return fnBase64Encode, true
	case "Base64Decode":
		return fnBase64Decode, true
	case "Hash":
		return fnHash, true
	case "JsonMerge":
		return fnJSONMerge, true
	case "MathRandom":
		return fnMathRandom, true
	case "MathAdd":
		return fnMathAdd, true
	case "StringSplit":
		return fnStringSplit, true
	case "UUID":
		return fnUUID, true
	}
	return 0, false
}

// specOf is a switch rather than a table so that the package keeps no mutable
// state.
func specOf(fn funcID) spec {
	switch fn {
	case fnFormat:
		return spec{1, -1, []kind{kString, kAny}, kString, format}
	case fnStringToJSON:
		return spec{1, 1, []kind{kString}, kAny, stringToJSON}
	case fnJSONToString:
		return spec{1, 1, []kind{kAny}, kString, jsonToString}
	case fnArray:
		return spec{0, -1, []kind{kAny}, kArray, array}
	case fnArrayPartition:
		return spec{2, 2, []kind{kArray, kNumber}, kArray, arrayPartition}
	case fnArrayContains:
		return spec{2, 2, []kind{kArray, kAny}, kBool, arrayContains}
	case fnArrayRange:
		return spec{3, 3, []kind{kNumber, kNumber, kNumber}, kArray, arrayRange}
	case fnArrayGetItem:
		return spec{2, 2, []kind{kArray, kNumber}, kAny, arrayGetItem}
	case fnArrayLength:
		return spec{1, 1, []kind{kArray}, kNumber, arrayLength}
	case fnArrayUnique:
		return spec{1, 1, []kind{kArray}, kArray, arrayUnique}
	case fnBase64Encode:
		return spec{1, 1, []kind{kString}, kString, base64Encode}
	case fnBase64Decode:
		return spec{1, 1, []kind{kString}, kString, base64Decode}
	case fnHash:
		// AWS hashes the text form of non-string data, so the first parameter is kAny.
		return spec{2, 2, []kind{kAny, kString}, kString, hashFunc}
	case fnJSONMerge:
		return spec{3, 3, []kind{kObject, kObject, kAny}, kObject, jsonMerge}
	case fnMathRandom:
		return spec{2, 3, []kind{kNumber, kNumber, kNumber}, kNumber, mathRandom}
	case fnMathAdd:
		return spec{2, 2, []kind{kNumber, kNumber}, kNumber, mathAdd}
	case fnStringSplit:
		return spec{2, 2, []kind{kString, kString}, kArray, stringSplit}
	default: // fnUUID
		return spec{0, 0, nil, kString, uuidFunc}
	}
}

// param returns the expected kind of parameter i.
func (s spec) param(i int) kind {
	if len(s.params) == 0 {
		return kAny
	}
	if i >= len(s.params) {
		return s.params[len(s.params)-1]
	}
	return s.params[i]
}
