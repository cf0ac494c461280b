import { Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '../auth/auth.decorators';
import { AdminController } from './admin-controller.decorator';
import { AdminMeDto } from './dto/admin-me.dto';

/** Who the caller is to the admin API, so a console can hide what it may not do. */
@AdminController('api/v1/admin/me', 'Admin: session')
export class AdminMeController {
  @Get()
  @ApiOperation({
    summary: "The caller's identity and whether it may write",
    description:
      'Answered for admin and read-only tokens alike. `canWrite: false` means every admin route other than a GET (the routing simulation too) answers 403.',
  })
  @ApiOkResponse({ type: AdminMeDto })
  me(@Req() request: AuthenticatedRequest): AdminMeDto {
    const { principal } = request;
    return {
      sub: principal?.token?.subject ?? null,
      clientId: principal?.token?.clientId ?? null,
      scopes: principal?.token?.scopes ?? [],
      roles: principal?.token?.roles ?? [],
      canWrite: principal?.canWrite === true,
    };
  }
}
