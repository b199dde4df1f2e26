"""Reads Sentinel events as a consumer in another language would: Confluent's Kafka client, its
stock schema-registry Avro deserializer, and the CloudEvents SDK's Kafka binary-mode binding.
Prints one JSON document with every event read; knows nothing of Sentinel's own code."""
import json
import sys

from cloudevents.kafka import KafkaMessage, from_binary
from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

brokers, registry_url, topic, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
consumer = Consumer({
    "bootstrap.servers": brokers,
    "group.id": f"interop-{topic}",
    "auto.offset.reset": "earliest",
    "isolation.level": "read_committed",
    "enable.auto.commit": False,
})
consumer.subscribe([topic])
events = []
try:
    while len(events) < expected:
        message = consumer.poll(15)
        if message is None:
            break
        if message.error():
            raise RuntimeError(str(message.error()))
        context = SerializationContext(topic, MessageField.VALUE)
        event = from_binary(
            KafkaMessage(headers=dict(message.headers() or []), key=message.key(), value=message.value()),
            data_unmarshaller=lambda value: deserialize(value, context),
        )
        attributes = {k: v.decode() if isinstance(v, bytes) else v for k, v in event.get_attributes().items()}
        events.append({"attributes": attributes, "data": event.get_data()})
finally:
    consumer.close()
print(json.dumps(events, default=str))
