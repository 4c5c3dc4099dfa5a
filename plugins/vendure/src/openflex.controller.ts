import { Controller, Headers, Post, Req, Res } from "@nestjs/common"
import type { Request, Response } from "express"

import { OpenFlexService } from "./openflex.service"

/** POST /payments/openflex: OpenFlex's signed webhook deliveries. */
@Controller("payments")
export class OpenFlexController {
  constructor(private readonly openflex: OpenFlexService) {}

  @Post("openflex")
  async webhook(@Headers("openflex-signature") signature: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const raw = (req as Request & { rawBody?: Buffer }).rawBody
    if (!raw) {
      res.status(400).send("no body")
      return
    }
    const { status, message } = await this.openflex.handleWebhook(raw, signature)
    res.status(status).send(message)
  }
}
