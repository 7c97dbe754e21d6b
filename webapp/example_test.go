package webapp_test

import (
	"fmt"
	"net/url"
	"time"

	"github.com/heraldbot/herald/webapp"
)

func ExampleValidator_Validate() {
	const token = "123456:AAE-example" // the bot's token, from the environment in real code
	authDate := time.Unix(1_800_000_000, 0)

	// What the Mini App's page sends: Telegram.WebApp.initData. Here it
	// is made as Telegram makes it.
	fields := map[string]string{
		"user":        `{"id":42,"first_name":"Ann","language_code":"en"}`,
		"auth_date":   fmt.Sprint(authDate.Unix()),
		"start_param": "ref_7",
	}
	q := url.Values{"hash": {webapp.Sign(webapp.SecretKey(token), fields)}}
	for k, v := range fields {
		q.Set(k, v)
	}
	initData := q.Encode()

	v, err := webapp.NewValidator(token, webapp.Options{
		MaxAge: time.Hour,
		Now:    func() time.Time { return authDate.Add(time.Minute) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := v.Validate(initData)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.User.ID, d.User.FirstName, d.StartParam, d.AuthDate.Equal(authDate))

	_, err = v.Validate(initData + "&is_admin=true")
	fmt.Println(err)
	// Output:
	// 42 Ann ref_7 true
	// webapp: init data signature does not match: hash
}
