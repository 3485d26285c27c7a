package connector_test

import (
	"context"
	"fmt"
	"log"

	"github.com/restconn/restconn/connector"
)

const examplePlanSpec = `{
  "name": "directory",
  "secrets": {"token": {"required": true}},
  "connection": {
    "baseURL": "https://api.example.com",
    "auth": {"api": {"type": "bearer", "token": "{{ .secrets.token }}"}}
  },
  "provision": {
    "addAccess": {
      "calls": [
        {"name": "user", "path": "/users", "query": {"email": "{{ .user.email }}"}},
        {"name": "join", "if": "{{ not (has .entitlement.id .responses.user.body.groups) }}",
         "method": "PUT", "path": "/groups/{{ .entitlement.id }}/members/{{ .responses.user.body.id }}"}
      ]
    }
  }
}`

// Plan shows what an operation would send, and sends nothing. The response
// of the first call is unknown until the caller supplies one, so the plan
// cannot render the second call at first; with a made-up response it can.
func ExampleEngine_Plan() {
	spec, err := connector.Parse([]byte(examplePlanSpec))
	if err != nil {
		log.Fatal(err)
	}
	eng, err := connector.New(spec, connector.WithSecrets(map[string]string{"token": "s3cr3t"}))
	if err != nil {
		log.Fatal(err)
	}
	req := connector.Request{
		Op:          connector.AddAccess,
		User:        map[string]any{"email": "ada@example.com"},
		Entitlement: &connector.Entitlement{Type: "group", ID: "eng"},
	}
	show := func(plan connector.Plan) {
		for _, c := range plan.Calls {
			if c.Status != connector.PlanReady {
				fmt.Printf("%s (%s): %s\n", c.Name, c.Status, c.Reason)
				continue
			}
			fmt.Printf("%s (%s): %s %s\n", c.Name, c.Status, c.Method, c.URL)
			fmt.Printf("  Authorization: %s\n", c.Header.Get("Authorization"))
		}
	}

	plan, err := eng.Plan(context.Background(), req, connector.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	show(plan)

	fmt.Println("-- with a response for user:")
	plan, err = eng.Plan(context.Background(), req, connector.PlanOptions{
		Responses: map[string]connector.PlannedResponse{
			"user": {Body: map[string]any{"id": "u-17", "groups": []string{"sales"}}},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	show(plan)
	// Output:
	// user (ready): GET https://api.example.com/users?email=ada%40example.com
	//   Authorization: [REDACTED]
	// join (unknown): if and request read .responses.user, which the plan does not know
	// -- with a response for user:
	// user (ready): GET https://api.example.com/users?email=ada%40example.com
	//   Authorization: [REDACTED]
	// join (ready): PUT https://api.example.com/groups/eng/members/u-17
	//   Authorization: [REDACTED]
}
