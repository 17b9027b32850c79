package jsonscan

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Redact describes an error of encoding/json without quoting the input: a
// syntax error's message can hold a character of a message's text. It says
// where (the byte offset, the field) and why (the JSON and Go types).
func Redact(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("malformed JSON at byte %d", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field == "" {
			return fmt.Errorf("want a JSON %s, found %s", typ.Type, typ.Value)
		}
		return fmt.Errorf("field %q is a JSON %s, want %s", typ.Field, typ.Value, typ.Type)
	}
	return errors.New("malformed JSON")
}
