// Package jsonscan reads JSON without quoting it: Redact turns an error of
// encoding/json into one that names offsets, fields and types, never a
// byte of the input, so that it can be logged.
package jsonscan
