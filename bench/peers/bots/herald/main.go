// Command herald is the peer bench's echo bot written with Herald, with
// Herald's defaults (see internal/heraldbot and ../../README.md).
package main

import "github.com/heraldbot/herald/bench/peers/internal/heraldbot"

func main() { heraldbot.Run(nil) }
