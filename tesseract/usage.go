package tesseract

// Usage is how much Tesseract a client has run: how many line images its
// engines recognised and how many pixels those held. Issue 17 keeps
// Tesseract as the arbiter of the faster reads and asks how often it runs
// and on what; a benchmark reads a client's Usage before and after a page
// (acquisition's BenchmarkReadPages). A call answered from the client's
// recent readings (recent.go) recognises nothing and is not counted; the
// warm-up line every engine reads when it is made is not counted either.
type Usage struct {
	// Recognitions is the line images recognised.
	Recognitions int
	// Pixels is their pixels, as the engine was given them (after the
	// client's scaling to LineHeight).
	Pixels int64
}

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{Recognitions: u.Recognitions + v.Recognitions, Pixels: u.Pixels + v.Pixels}
}

// Usage is what c's engines have recognised since it was made: its model
// and its second opinion (second.go).
func (c *Client) Usage() Usage {
	u := c.tc.used
	if c.second != nil {
		u = u.Add(c.second.Usage())
	}
	return u
}

// Usage is what c's engine has recognised since it was made.
func (c *FieldClient) Usage() Usage { return c.tc.used }
