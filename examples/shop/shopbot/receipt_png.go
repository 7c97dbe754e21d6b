package shopbot

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"unicode/utf8"

	"github.com/heraldbot/herald/examples/shop/service"
)

// Receipt geometry: a 3×5 pixel font drawn at scale, receiptCols
// characters a line.
const (
	scale       = 4
	glyphW      = 3 * scale
	glyphH      = 5 * scale
	advance     = glyphW + scale   // one column of space between letters
	lineHeight  = glyphH + 3*scale // and three rows between lines
	margin      = 8 * scale
	receiptCols = 30
)

var (
	paper = color.RGBA{0xfb, 0xf8, 0xef, 0xff}
	ink   = color.RGBA{0x22, 0x22, 0x2a, 0xff}
)

// RenderReceipt draws the order as a PNG: a deliberately CPU-heavy job
// (drawing, then PNG's best compression) that belongs off the update path.
func RenderReceipt(o service.Order) ([]byte, error) {
	lines := receiptLines(o)
	w := 2*margin + receiptCols*advance
	h := 2*margin + len(lines)*lineHeight + 12*scale // room for the bar code
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{paper}, image.Point{}, draw.Src)
	for i, l := range lines {
		drawText(img, margin, margin+i*lineHeight, l)
	}
	drawBarcode(img, margin, h-margin-8*scale, w-2*margin, 8*scale, fmt.Sprintf("order-%d", o.ID))
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// receiptLines is the receipt's text, one line each, at most receiptCols.
func receiptLines(o service.Order) []string {
	// pad puts right at the end of the line and as much of left as fits
	// before it (right is ASCII: an amount).
	pad := func(left, right string) string {
		left = truncate(left, receiptCols-len(right)-1)
		return left + strings.Repeat(" ", receiptCols-utf8.RuneCountInString(left)-len(right)) + right
	}
	out := []string{
		"HERALD COFFEE SHOP",
		fmt.Sprintf("ORDER #%d", o.ID),
		strings.ToUpper(o.CreatedAt.UTC().Format("02 Jan 2006 15:04 UTC")), // the font has capitals only
		strings.Repeat("-", receiptCols),
	}
	for _, l := range o.Lines {
		out = append(out, pad(fmt.Sprintf("%dX %s", l.Qty, l.Name), service.Money(l.SubtotalCents())))
	}
	out = append(out,
		strings.Repeat("-", receiptCols),
		pad("TOTAL", service.Money(o.TotalCents)),
		"",
		"DELIVERY: "+o.Slot,
		"TO: "+o.Name,
	)
	for i, l := range out {
		out[i] = truncate(l, receiptCols)
	}
	return out
}

// truncate cuts s to at most n characters (runes, not bytes: a byte cut
// could split a character in two).
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// drawText draws s with the 3×5 font; unknown characters become '?'.
func drawText(img *image.RGBA, x, y int, s string) {
	for _, r := range strings.ToUpper(s) {
		g, ok := font[r]
		if !ok {
			g = font['?']
		}
		for row := range 5 {
			for col := range 3 {
				if g[row*3+col] == '#' {
					fill(img, x+col*scale, y+row*scale, scale, scale)
				}
			}
		}
		x += advance
	}
}

// drawBarcode draws bars derived from a hash of s: decoration that varies
// per order, not a scannable code.
func drawBarcode(img *image.RGBA, x, y, w, h int, s string) {
	hs := fnv.New64a()
	hs.Write([]byte(s))
	bits := hs.Sum64()
	for px := 0; px < w; px += 2 * scale {
		width := scale
		if bits&1 == 1 {
			width = 2 * scale
		}
		bits = bits>>1 | bits<<63
		fill(img, x+px, y, min(width, w-px), h)
	}
}

func fill(img *image.RGBA, x, y, w, h int) {
	draw.Draw(img, image.Rect(x, y, x+w, y+h), &image.Uniform{ink}, image.Point{}, draw.Src)
}

// font is a 3×5 pixel font: 15 characters a glyph, row by row, '#' inked.
var font = map[rune]string{
	'A': ".#.#.#####.##.#", 'B': "##.#.###.#.###.", 'C': ".###..#..#...##",
	'D': "##.#.##.##.###.", 'E': "####..##.#..###", 'F': "####..##.#..#..",
	'G': ".###..#.##.#.##", 'H': "#.##.#####.##.#", 'I': "###.#..#..#.###",
	'J': "..#..#..##.#.#.", 'K': "#.##.###.#.##.#", 'L': "#..#..#..#..###",
	'M': "#.########.##.#", 'N': "##.#.##.##.##.#", 'O': ".#.#.##.##.#.#.",
	'P': "##.#.###.#..#..", 'Q': ".#.#.##.###..##", 'R': "##.#.###.#.##.#",
	'S': ".###...#...###.", 'T': "###.#..#..#..#.", 'U': "#.##.##.##.####",
	'V': "#.##.##.##.#.#.", 'W': "#.##.########.#", 'X': "#.##.#.#.#.##.#",
	'Y': "#.##.#.#..#..#.", 'Z': "###..#.#.#..###", '0': "####.##.##.####",
	'1': ".#.##..#..#.###", '2': "##...#.#.#..###", '3': "##...#.#...###.",
	'4': "#.##.####..#..#", '5': "####..##...###.", '6': ".###..####.####",
	'7': "###..#.#..#..#.", '8': "####.#####.####", '9': "####.####..###.",
	' ': "...............", '.': ".............#.", ',': "..........#.#..",
	':': "....#.....#....", '$': ".####..#..####.", '#': "#.#####.#####.#",
	'-': "......###......", '–': "......###......", '+': "....#.###.#....",
	'/': "..#..#.#.#..#..", '(': ".#.#..#..#...#.", ')': ".#...#..#..#.#.",
	'?': "##...#.#.....#.", '\'': ".#..#..........", '×': "...#.#.#.#.#...",
}
