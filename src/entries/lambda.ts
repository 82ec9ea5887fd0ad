// `allthings-webhooks/lambda`: AWS Lambda behind API Gateway v1/v2 or a function URL. Re-exports only.
export {
  createLambdaHandler,
  type LambdaHandlerOptions,
  type LambdaHttpEvent,
  type LambdaProxyResult,
  type LambdaWebhookHandler,
} from '../adapters/lambda.js';
