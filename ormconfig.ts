import 'reflect-metadata';
import 'dotenv/config';
import { DataSource } from 'typeorm';
import { loadDatabaseConfig } from './src/config/database.config';
import { EnvReader } from './src/config/env-reader';
import { buildDataSourceOptions } from './src/database/data-source';

/** Used by `npm run migration:run|revert|show`; same options as the server. */
export default new DataSource(buildDataSourceOptions(loadDatabaseConfig(new EnvReader(process.env))));
