package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FieldError is one entry of a FastAPI/pydantic validation error
// ({"detail": [FieldError...]}, HTTP 422).
type FieldError struct {
	Type  string          `json:"type"`
	Loc   []any           `json:"loc"`
	Msg   string          `json:"msg"`
	Input json.RawMessage `json:"input"`
	Ctx   map[string]any  `json:"ctx,omitempty"`
}

// ValidationError is a request body that does not fit its schema.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	var parts []string
	for _, f := range e.Errors {
		loc := make([]string, len(f.Loc))
		for i, l := range f.Loc {
			loc[i] = fmt.Sprint(l)
		}
		parts = append(parts, strings.Join(loc, ".")+": "+f.Msg)
	}
	return "invalid request: " + strings.Join(parts, "; ")
}

// asValidation returns err as a *ValidationError, if it is one.
func asValidation(err error) (*ValidationError, bool) {
	var ve *ValidationError
	ok := errors.As(err, &ve)
	return ve, ok
}

var jsonNull = json.RawMessage("null")

// object is a decoded JSON object whose fields are read one by one, the
// way pydantic validates a model in lax mode: unknown fields are ignored,
// missing optional fields take their defaults, and every problem is
// collected as a FieldError.
type object struct {
	raw    json.RawMessage
	fields map[string]json.RawMessage
	errs   []FieldError
}

// decodeObject parses body as one JSON object. A body that is not JSON or
// not an object is a validation error, as FastAPI reports it.
func decodeObject(body []byte) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, &ValidationError{Errors: []FieldError{{
			Type: "json_invalid", Loc: []any{"body", int(dec.InputOffset())}, Msg: "JSON decode error",
			Input: json.RawMessage("{}"), Ctx: map[string]any{"error": err.Error()},
		}}}
	}
	if dec.More() {
		return nil, &ValidationError{Errors: []FieldError{{
			Type: "json_invalid", Loc: []any{"body", int(dec.InputOffset())}, Msg: "JSON decode error",
			Input: json.RawMessage("{}"), Ctx: map[string]any{"error": "extra data after the JSON value"},
		}}}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, &ValidationError{Errors: []FieldError{{
			Type: "model_attributes_type", Loc: []any{"body"},
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: raw,
		}}}
	}
	return &object{raw: raw, fields: fields}, nil
}

// err finishes decoding: nil, or a *ValidationError listing every problem.
func (o *object) err() error {
	if len(o.errs) == 0 {
		return nil
	}
	return &ValidationError{Errors: o.errs}
}

func (o *object) fail(loc []any, typ, msg string, input json.RawMessage) {
	if input == nil {
		input = o.raw
	}
	o.errs = append(o.errs, FieldError{Type: typ, Loc: append([]any{"body"}, loc...), Msg: msg, Input: input})
}

func (o *object) missing(name string) {
	o.fail([]any{name}, "missing", "Field required", o.raw)
}

// get returns a field's raw value; ok is false when it is absent.
func (o *object) get(name string) (json.RawMessage, bool) {
	v, ok := o.fields[name]
	return v, ok
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), jsonNull) }

// str reads a required (or optional, with def) string field. Strings must
// be JSON strings: pydantic does not turn numbers into strings.
func (o *object) str(name string, required bool, def string) string {
	v, ok := o.get(name)
	if !ok {
		if required {
			o.missing(name)
		}
		return def
	}
	s, good := decodeString(v)
	if !good {
		o.fail([]any{name}, "string_type", "Input should be a valid string", v)
		return def
	}
	return s
}

// optStr reads a string field that may be null or absent (nil).
func (o *object) optStr(name string) *string {
	v, ok := o.get(name)
	if !ok || isNull(v) {
		return nil
	}
	s, good := decodeString(v)
	if !good {
		o.fail([]any{name}, "string_type", "Input should be a valid string", v)
		return nil
	}
	return &s
}

func decodeString(v json.RawMessage) (string, bool) {
	var s string
	if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// number reads a float field (JSON number or numeric string, as pydantic's
// lax mode accepts).
func (o *object) number(name string, def float64) float64 {
	v, ok := o.get(name)
	if !ok {
		return def
	}
	f, good := decodeFloat(v)
	if !good {
		o.fail([]any{name}, "float_parsing", "Input should be a valid number, unable to parse string as a number", v)
		return def
	}
	return f
}

func decodeFloat(v json.RawMessage) (float64, bool) {
	text := string(bytes.TrimSpace(v))
	if s, ok := decodeString(v); ok {
		text = strings.TrimSpace(s)
	} else if len(text) == 0 || !(text[0] == '-' || text[0] >= '0' && text[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// integer reads an int field: a JSON integer, a float with no fractional
// part, or a string holding an integer (pydantic's lax mode).
func (o *object) integer(name string, def int64) int64 {
	v, ok := o.get(name)
	if !ok {
		return def
	}
	n, good := decodeInt(v)
	if !good {
		o.fail([]any{name}, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", v)
		return def
	}
	return n
}

func decodeInt(v json.RawMessage) (int64, bool) {
	text := string(bytes.TrimSpace(v))
	if s, ok := decodeString(v); ok {
		text = strings.TrimSpace(s)
		n, err := strconv.ParseInt(text, 10, 64)
		return n, err == nil
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true
	}
	f, ok := decodeFloat(v)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// boolean reads a bool field (JSON true/false).
func (o *object) boolean(name string, def bool) bool {
	v, ok := o.get(name)
	if !ok || isNull(v) {
		return def
	}
	var b bool
	if json.Unmarshal(v, &b) != nil {
		o.fail([]any{name}, "bool_type", "Input should be a valid boolean", v)
		return def
	}
	return b
}

// strList reads a list of strings.
func (o *object) strList(name string) []string {
	v, ok := o.get(name)
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil || isNull(v) {
		o.fail([]any{name}, "list_type", "Input should be a valid list", v)
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, good := decodeString(it)
		if !good {
			o.fail([]any{name, i}, "string_type", "Input should be a valid string", it)
			continue
		}
		out = append(out, s)
	}
	return out
}

// rawList reads a list of arbitrary JSON values.
func (o *object) rawList(name string, required bool) []json.RawMessage {
	v, ok := o.get(name)
	if !ok {
		if required {
			o.missing(name)
		}
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil || isNull(v) {
		o.fail([]any{name}, "list_type", "Input should be a valid list", v)
		return nil
	}
	return items
}

// optStrMap reads a {string: string|null} dictionary.
func (o *object) optStrMap(name string) map[string]*string {
	v, ok := o.get(name)
	if !ok {
		return nil
	}
	var items map[string]json.RawMessage
	if json.Unmarshal(v, &items) != nil || isNull(v) {
		o.fail([]any{name}, "dict_type", "Input should be a valid dictionary", v)
		return nil
	}
	out := make(map[string]*string, len(items))
	for k, it := range items {
		if isNull(it) {
			out[k] = nil
			continue
		}
		s, good := decodeString(it)
		if !good {
			o.fail([]any{name, k}, "string_type", "Input should be a valid string", it)
			continue
		}
		out[k] = &s
	}
	return out
}
