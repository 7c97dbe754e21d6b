package herald

// Key is a typed slot for a per-update value, set by middleware and read by
// handlers: for example the current user's account loaded from a database.
// Create keys once, at start-up, with NewKey.
type Key[T any] struct{ name string }

// NewKey returns a new key; the name is for debugging.
func NewKey[T any](name string) *Key[T] { return &Key[T]{name: name} }

// Name returns the key's name.
func (k *Key[T]) Name() string { return k.name }

// Set stores v for the current update.
func (k *Key[T]) Set(c *Context, v T) {
	for i := range c.values {
		if c.values[i].key == any(k) {
			c.values[i].val = v
			return
		}
	}
	c.values = append(c.values, value{key: k, val: v})
}

// Get returns the value stored for the current update, if any.
func (k *Key[T]) Get(c *Context) (T, bool) {
	for _, v := range c.values {
		if v.key == any(k) {
			t, ok := v.val.(T)
			return t, ok
		}
	}
	var zero T
	return zero, false
}
