// Package strictjson decodes what clients send (the session API's bodies
// and the signaling messages) strictly, with errors that name the field and
// the JSON kind that was expected, never a Go type.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Decode reads exactly one JSON value from data into v, refusing unknown
// fields.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return explain(err)
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// explain rewords the decoder's errors for the client.
func explain(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("empty: a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not valid JSON: it ends too early")
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("a JSON %s is expected, not %s", kind(typ.Type), typ.Value)
	case errors.As(err, &typ):
		return fmt.Errorf("%q must be %s, not %s", typ.Field, article(kind(typ.Type)), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errors.New("not valid JSON")
}

func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Pointer:
		return kind(t.Elem())
	}
	return "object"
}

func article(k string) string {
	if k == "array" || k == "object" {
		return "an " + k
	}
	return "a " + k
}
