import type { NextFunction, Request, Response } from "express"

/**
 * Keeps the webhook's body exactly as received (req.rawBody): its signature
 * is over those bytes, never over a re-encoded JSON. Marks the body parsed,
 * so the JSON parser leaves the stream alone.
 */
export function rawBodyMiddleware(req: Request, res: Response, next: NextFunction): void {
  const chunks: Buffer[] = []
  let size = 0
  req.on("data", (c: Buffer) => {
    size += c.length
    if (size > 1 << 20) {
      res.status(413).send("body too large")
      req.destroy()
      return
    }
    chunks.push(c)
  })
  req.on("end", () => {
    const r = req as Request & { rawBody?: Buffer; _body?: boolean }
    r.rawBody = Buffer.concat(chunks)
    r._body = true
    next()
  })
  req.on("error", next)
}
