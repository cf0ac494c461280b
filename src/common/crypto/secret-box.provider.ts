import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { SecretBox } from './secret-box';

export const secretBoxProvider: Provider = {
  provide: SecretBox,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new SecretBox(config.security.encryptionKeys),
};
