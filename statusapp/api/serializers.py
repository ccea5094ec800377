from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses unknown and read-only keys instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = ["Unknown field."]
                elif field.read_only:
                    errors[key] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass
