package openapitest_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/restconn/restconn/internal/openapitest"
)

const spec = `openapi: 3.0.1
info: {title: Example, version: "1"}
servers: [{url: "https://api.example.com"}]
security: [{bearerAuth: []}]
paths:
  /me:
    get:
      responses:
        "200":
          description: the caller
          content:
            application/json:
              schema:
                type: object
                required: [id, name]
                properties:
                  id: {type: string}
                  name: {type: string}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
`

// Middleware checks a fake server's traffic as tests use it. Real tests load
// the vendor's description, usually with FromEnv.
func ExampleValidator_Middleware() {
	dir, err := os.MkdirTemp("", "openapitest")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		log.Fatal(err)
	}
	v, err := openapitest.Load(path)
	if err != nil {
		log.Fatal(err)
	}

	// A fake that forgets a required field; a test would pass t.Error as report.
	fake := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": 7}`)
	})
	srv := httptest.NewServer(v.Middleware(fake, func(err error) { fmt.Println(err) }))
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/me", nil)
	req.Header.Set("Authorization", "Bearer token")
	res, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	// Output:
	// openapitest: GET /me: response 200: response body doesn't match schema: at "/id": value must be a string (value 7) | at "/name": property "name" is missing (value {"id":7})
}
