import { Args, Mutation, Query, Resolver } from "@nestjs/graphql"
import { ActiveOrderService, Allow, Ctx, ID, Order, Permission, RequestContext, Transaction, UserInputError } from "@vendure/core"

import { CheckoutInput, OpenFlexService, PromotionResult } from "./openflex.service"

@Resolver()
export class OpenFlexShopResolver {
  constructor(
    private readonly openflex: OpenFlexService,
    private readonly activeOrderService: ActiveOrderService,
  ) {}

  @Mutation()
  @Transaction()
  @Allow(Permission.Owner)
  async createOpenFlexCheckout(@Ctx() ctx: RequestContext, @Args("input") input: CheckoutInput) {
    return this.openflex.createCheckout(ctx, input)
  }

  @Mutation()
  @Allow(Permission.Owner)
  async settleOpenFlexCheckout(@Ctx() ctx: RequestContext, @Args("checkoutId") checkoutId: string): Promise<Order> {
    const order = await this.activeOrderService.getActiveOrder(ctx, undefined)
    if (!order) {
      throw new UserInputError("There is no active order: was it already paid?")
    }
    return this.openflex.settleCheckout(ctx, order.id, checkoutId)
  }

  @Query()
  @Allow(Permission.Public)
  async openflexPromotion(
    @Ctx() ctx: RequestContext,
    @Args("amount") amount?: number | null,
    @Args("productVariantId") productVariantId?: ID | null,
  ): Promise<PromotionResult> {
    return this.openflex.promotion(ctx, amount, productVariantId)
  }
}
