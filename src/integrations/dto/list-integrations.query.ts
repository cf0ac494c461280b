import { PageQuery } from '../../common/http/page.query';

export class ListIntegrationsQuery extends PageQuery {}
