package redact_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/restconn/restconn/internal/redact"
)

func ExampleRedactor_String() {
	var r redact.Redactor
	r.Add("p@ss/w rd")
	// However a server spells the secret, it is masked.
	fmt.Println(r.String(`{"error":"bad password p@ss\/w rd"}`))
	fmt.Println(r.String(`{"error":"bad password p@ss\u002Fw\u0020rd"}`))
	fmt.Println(r.String("GET /login?pw=p%40ss%2fw+rd"))
	fmt.Println(r.String(`login failed: "p@ss/w rd"`))
	// Output:
	// {"error":"bad password [REDACTED]"}
	// {"error":"bad password [REDACTED]"}
	// GET /login?pw=[REDACTED]
	// login failed: "[REDACTED]"
}

func ExampleRedactor_Snippet() {
	var r redact.Redactor
	r.Add("two  spaces")
	body := []byte("{\n  \"detail\": \"password two  spaces rejected\",\n  \"status\": 400\n}")
	fmt.Println(r.Snippet(body, 50))
	// Output:
	// { "detail": "password [REDACTED] rejected", "statu…
}

func ExampleRedactor_Error() {
	var r redact.Redactor
	r.Add("tok3n")
	err := fmt.Errorf("sending tok3n: %w", context.DeadlineExceeded)
	masked := r.Error(err)
	fmt.Println(masked)
	fmt.Println(errors.Is(masked, context.DeadlineExceeded))
	// Output:
	// sending [REDACTED]: context deadline exceeded
	// true
}

func ExampleFields_JSON() {
	f := redact.NewFields("ssn", "password")
	body, values := f.JSON([]byte(`{"name":"Jane","SSN":"078-05-1120","creds":{"password":"pw1"}}`))
	fmt.Println(string(body))
	// Learn the values, so they are masked wherever else they appear.
	var r redact.Redactor
	op := r.With(values...)
	fmt.Println(op.String("conflict: 078-05-1120 already exists"))
	// Output:
	// {"name":"Jane","SSN":"[REDACTED]","creds":{"password":"[REDACTED]"}}
	// conflict: [REDACTED] already exists
}
